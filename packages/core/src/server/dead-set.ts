// The dead set ("morgue"): where jobs go when their retries are exhausted, with Sidekiq's trimming
// so it never grows without bound.

import type { ChainableCommander, Redis } from "ioredis";
import { DEAD } from "../redis/keys.js";
import { formatFloat } from "../wire/json.js";

/** Dead jobs older than this are trimmed (Sidekiq's dead_timeout_in_seconds, 180 days). */
export const DEAD_TIMEOUT_SECONDS = 180 * 24 * 60 * 60;
/** Rank trim bound (Sidekiq's dead_max_jobs); `ZREMRANGEBYRANK 0 -N` keeps N-1 members. */
export const DEAD_MAX_JOBS = 10_000;

/** Adds ZADD dead + the two trims to a MULTI. */
export function queueMorgueAdd(commands: ChainableCommander, payload: string, nowSeconds: number): void {
  commands.zadd(DEAD, formatFloat(nowSeconds), payload);
  queueMorgueTrim(commands, nowSeconds);
}

/** Adds the two trims to a MULTI: older than 180 days, and beyond the newest 9,999. */
export function queueMorgueTrim(commands: ChainableCommander, nowSeconds: number): void {
  commands.zremrangebyscore(DEAD, "-inf", formatFloat(nowSeconds - DEAD_TIMEOUT_SECONDS));
  commands.zremrangebyrank(DEAD, 0, -DEAD_MAX_JOBS);
}

/** Puts a payload string in the dead set, trimming it in the same MULTI as Sidekiq does. */
export async function sendToMorgue(
  redis: Redis,
  payload: string,
  nowSeconds = Date.now() / 1000,
): Promise<void> {
  const multi = redis.multi();
  queueMorgueAdd(multi, payload, nowSeconds);
  const replies = await multi.exec();
  for (const [error] of replies ?? []) if (error) throw error;
}
