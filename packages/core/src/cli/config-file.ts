// `config/sidekiq.yml` as Rails teams have it: symbol keys (`:concurrency:`), queues as names,
// "name,weight" strings or [name, weight] pairs, per-environment sections, and the ERB that
// Sidekiq evaluates first (the ENV forms used in practice).

import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { KiqError } from "../errors.js";
import type { QueueWeight } from "../server/queues.js";

export interface SidekiqConfig {
  concurrency?: number;
  queues?: QueueWeight[];
  timeout?: number;
  tag?: string;
  labels?: string[];
  /**
   * kiq's own key: run with the reliable fetch of @kiq/tracker (as `kiq worker --reliable`); a
   * mapping turns it on with those tracker options (`heartbeat_ttl: 20` → `{ heartbeatTtl: 20 }`).
   */
  reliable?: boolean | Record<string, unknown>;
}

export function loadSidekiqConfig(
  path: string,
  environment = process.env.RAILS_ENV ?? process.env.RACK_ENV ?? "development",
): SidekiqConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new KiqError(`No such file ${path}`);
  }
  const raw = symbolless(parse(evaluateErb(text, path)) ?? {});
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new KiqError(`${path}: expected a mapping of options`);
  const options = raw as Record<string, unknown>;
  const merged = { ...options, ...((options[environment] as Record<string, unknown> | undefined) ?? {}) };
  return {
    concurrency: optionalNumber(merged.concurrency, "concurrency", path),
    queues: merged.queues === undefined ? undefined : parseQueues(merged.queues, path),
    timeout: optionalNumber(merged.timeout, "timeout", path),
    tag: merged.tag === undefined ? undefined : String(merged.tag),
    labels: Array.isArray(merged.labels) ? merged.labels.map(String) : undefined,
    reliable: optionalSwitch(merged.reliable, "reliable", path),
  };
}

function parseQueues(value: unknown, path: string): QueueWeight[] {
  if (!Array.isArray(value)) throw new KiqError(`${path}: queues must be a list`);
  return value.map((entry) => {
    const [name, weight = 0] = Array.isArray(entry) ? entry : String(entry).split(",");
    const parsed = Number(weight);
    if (typeof name !== "string" || name === "" || !Number.isInteger(parsed) || parsed < 0) {
      throw new KiqError(`${path}: bad queue entry ${JSON.stringify(entry)}`);
    }
    return { name, weight: parsed };
  });
}

/** true/false, or a mapping of options with Ruby's snake_case keys made camelCase. */
function optionalSwitch(
  value: unknown,
  key: string,
  path: string,
): boolean | Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (typeof value === "object" && !Array.isArray(value)) {
    const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), v]));
  }
  throw new KiqError(
    `${path}: ${key} must be true, false or a mapping of options, got ${JSON.stringify(value)}`,
  );
}

function optionalNumber(value: unknown, key: string, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new KiqError(`${path}: ${key} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/** Ruby symbol keys (`:queues:`) read as ":queues"; strip the colon, recursively. */
function symbolless(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(symbolless);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/^:/, ""), symbolless(v)]));
  }
  return typeof value === "string" ? value.replace(/^:(?=\w)/, "") : value;
}

// <%= ENV["X"] %>, <%= ENV.fetch("X", 5) %>, <%= ENV["X"] || 5 %>, <%= ENV.fetch("X") { 5 } %>
const ERB_TAG = /<%=?-?\s*([\s\S]*?)\s*-?%>/g;
const ENV_EXPR =
  /^(?:Integer\()?\s*ENV(?:\[\s*["'](\w+)["']\s*\]|\.fetch\(\s*["'](\w+)["']\s*(?:,\s*([^)]*?))?\s*\)(?:\s*\{\s*([^}]*?)\s*\})?)\s*(?:\|\|\s*(.+?))?\s*\)?$/;

function evaluateErb(text: string, path: string): string {
  return text.replace(ERB_TAG, (_tag, expression: string) => {
    const match = ENV_EXPR.exec(expression.trim());
    if (!match)
      throw new KiqError(`${path}: kiq evaluates only ENV lookups in ERB, not <%= ${expression} %>`);
    const name = (match[1] ?? match[2]) as string;
    const fallback = match[3] ?? match[4] ?? match[5];
    const value = process.env[name];
    if (value !== undefined) return value;
    if (fallback === undefined) return "";
    return fallback.trim().replace(/^["']|["']$/g, "");
  });
}
