// A job over its limit goes back to Sidekiq's schedule set, due when it may run, as the stored
// string with one field of ours changed: `overrated`, the number of times a limit rescheduled it
// (Sidekiq Enterprise's name for the same count). Its jid and every other byte stay as fetched.

import type { PluginHost } from "@kiq/core";
import { formatFloat, type Payload, SCHEDULE } from "@kiq/core";

/** The payload field counting reschedules. */
export const OVERRATED = "overrated";
/** Longest wait between tries when a concurrency limit is full, seconds. */
export const MAX_BACKOFF = 30;

/** Seconds before trying again when a concurrency limit was full: 1, 2, 4… up to 30, ±25%. */
export function concurrencyBackoff(overrated: number, random: () => number = Math.random): number {
  return Math.min(MAX_BACKOFF, 2 ** Math.min(overrated - 1, 5)) * (0.75 + random() / 2);
}

/** How many times a limit has rescheduled the job so far. */
export function overratedCount(payload: Payload): number {
  const count = payload.get(OVERRATED);
  return typeof count === "number" && Number.isInteger(count) && count > 0 ? count : 0;
}

/** ZADD schedule <now + delay> <payload with overrated = count>. */
export async function reschedule(
  redis: PluginHost["redis"],
  payload: Payload,
  count: number,
  delaySeconds: number,
): Promise<void> {
  const due = Date.now() / 1000 + delaySeconds;
  await redis.zadd(SCHEDULE, formatFloat(due), payload.set(OVERRATED, count).toString());
}
