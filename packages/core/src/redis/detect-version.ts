// Which Sidekiq version the Ruby fleet runs, read from its heartbeats: `info.version` exists from
// 7.0.2 on, so a live process without it is 6.x. The oldest version wins, because every process
// must be able to read what kiq writes.

import type { Redis } from "ioredis";
import type { SidekiqVersion } from "../wire/types.js";
import { PROCESSES } from "./keys.js";

export async function detectSidekiqVersion(redis: Redis): Promise<SidekiqVersion | undefined> {
  const identities = await redis.smembers(PROCESSES);
  if (identities.length === 0) return undefined;
  const pipeline = redis.pipeline();
  for (const identity of identities) pipeline.hget(identity, "info");
  const replies = (await pipeline.exec()) ?? [];
  let oldest: SidekiqVersion | undefined;
  for (const [error, info] of replies) {
    if (error || typeof info !== "string") continue; // expired heartbeat: not a live process
    const version = versionOfInfo(info);
    if (version !== undefined && (oldest === undefined || version < oldest)) oldest = version;
  }
  return oldest;
}

function versionOfInfo(info: string): SidekiqVersion | undefined {
  let parsed: { version?: unknown };
  try {
    parsed = JSON.parse(info);
  } catch {
    return undefined;
  }
  if (typeof parsed.version !== "string") return 6;
  const major = Number.parseInt(parsed.version, 10);
  if (major <= 6) return 6;
  return major >= 8 ? 8 : 7;
}
