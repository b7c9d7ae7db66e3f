// The `info` JSON of a process heartbeat: who the process is and what it works on, written once
// and cached, as Sidekiq does. Each Web UI version reads a different subset (concurrency from
// info up to 8.1.1, capsules from 8.0.9, weights from 7.0.2), so kiq writes the union of what the
// fleet's versions read, in Ruby's key order.

import { KIQ_VERSION } from "../version.js";
import { formatFloat } from "../wire/json.js";
import type { SidekiqVersion } from "../wire/types.js";

/** The Sidekiq release a process claims per format; readers only parse the leading major. */
export const SIDEKIQ_RELEASE = { 7: "7.3.10", 8: "8.1.7" } as const;
/** Always among a kiq process' labels, so the Web UI tells Node processes from Ruby ones. */
export const KIQ_LABEL = "kiq";
/** Sidekiq's only capsule unless an app declares more; kiq has one pool of slots. */
export const DEFAULT_CAPSULE = "default";

export interface ProcessInfo {
  hostname: string;
  /** Epoch seconds (fractional) when the process started. */
  startedAt: number;
  pid: number;
  /** Shown beside the process in the Web UI; "" for none. */
  tag: string;
  /** Jobs run at once. */
  concurrency: number;
  /** Queue names in config order. */
  queues: string[];
  /** Weight per queue; 0 (or absent) = no weight, strict order. */
  weights: Record<string, number>;
  /** Extra labels; "kiq" is added when absent. */
  labels: string[];
  identity: string;
}

/** How a capsule picks its queues, as Sidekiq names it. */
export type CapsuleMode = "strict" | "random" | "weighted";

export function capsuleMode(weights: readonly number[]): CapsuleMode {
  if (weights.every((w) => w === 0)) return "strict";
  if (weights.every((w) => w === 1)) return "random";
  return "weighted";
}

/** The version string written in `info.version`: Sidekiq's release, then kiq's as build metadata. */
export function infoVersion(version: 7 | 8): string {
  return `${SIDEKIQ_RELEASE[version]}+kiq.${KIQ_VERSION}`;
}

/** The `info` JSON exactly as the given Sidekiq version lays it out, plus what other versions need. */
export function infoJson(info: ProcessInfo, version: SidekiqVersion): string {
  const queues = [...new Set(info.queues)];
  // Built as ordered pairs, not an object: JavaScript would move integer-like queue names ("10") first.
  const weights = jsonObject(queues.map((q) => [q, String(info.weights[q] ?? 0)]));
  const labels = [...new Set([...info.labels, KIQ_LABEL])];
  const fields: [string, string][] = [
    ["hostname", JSON.stringify(info.hostname)],
    ["started_at", formatFloat(info.startedAt, "info.started_at")],
    ["pid", String(info.pid)],
    ["tag", JSON.stringify(info.tag)],
    // 8.1.2+ moved this to a hash field, but 8.0.x and 7.x Busy pages crash without it.
    ["concurrency", String(info.concurrency)],
  ];
  if (version >= 8) {
    const mode = capsuleMode(queues.map((q) => info.weights[q] ?? 0));
    const capsule = jsonObject([
      ["concurrency", String(info.concurrency)],
      ["mode", JSON.stringify(mode)],
      ["weights", weights],
    ]);
    fields.push(["capsules", jsonObject([[DEFAULT_CAPSULE, capsule]])]);
  }
  fields.push(["queues", JSON.stringify(queues)]);
  if (version >= 7) fields.push(["weights", `[${weights}]`]);
  fields.push(["labels", JSON.stringify(labels)], ["identity", JSON.stringify(info.identity)]);
  if (version === 7 || version === 8) {
    fields.push(["version", JSON.stringify(infoVersion(version))], ["embedded", "false"]);
  }
  return jsonObject(fields);
}

/** A JSON object from keys and already-encoded values, in the given order. */
function jsonObject(entries: readonly (readonly [string, string])[]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`;
}
