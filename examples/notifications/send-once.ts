// Idempotency by dedup key: a channel sends a notification at most once, however many jobs carry it
// (the app enqueued it twice, a duplicate ran alongside, a retry came after a failure). A sent
// notification leaves a key in Redis; SET NX makes the claim atomic across every worker.

import type { Redis } from "ioredis";

/** How long a delivery's claim holds if the worker dies mid-send; after it, a retry may send again. */
export const CLAIM_SECONDS = 60;
/** How long a sent key is remembered: longer than any retry of the job. */
export const REMEMBER_SECONDS = 30 * 24 * 3600;

export const sentKey = (channel: string, dedupKey: string) => `notifications:sent:${channel}:${dedupKey}`;

/**
 * Runs `send` unless this key was already sent (or is being sent): true when it sent. A failed send
 * gives the claim back, so the job's retry can try again.
 */
export async function sendOnce(redis: Redis, key: string, send: () => Promise<void>): Promise<boolean> {
  if ((await redis.set(key, "sending", "EX", CLAIM_SECONDS, "NX")) === null) return false;
  try {
    await send();
  } catch (error) {
    await redis.del(key);
    throw error;
  }
  await redis.set(key, "sent", "EX", REMEMBER_SECONDS);
  return true;
}
