// Pruning the `processes` set (Sidekiq's ProcessSet#cleanup): a process that died without leaving
// stays listed until someone notices its heartbeat hash has expired. The scheduler does it after
// its first wait (6.5.7+), since the process count sets the fleet's poll interval.

import type { Redis } from "ioredis";
import { PROCESS_CLEANUP, PROCESSES } from "../redis/keys.js";
import { scanSetMembers } from "../redis/scan.js";

/** Seconds the cleanup lock is held: at most one prune per minute across the fleet (6.5.2+). */
export const PROCESS_CLEANUP_INTERVAL = 60;

/** Removes identities whose heartbeat hash is gone; returns how many. 0 when another process pruned lately. */
export async function cleanupProcesses(redis: Redis): Promise<number> {
  const locked = await redis.set(PROCESS_CLEANUP, "1", "EX", PROCESS_CLEANUP_INTERVAL, "NX");
  if (locked === null) return 0;
  const identities = await scanSetMembers(redis, PROCESSES);
  if (identities.length === 0) return 0;
  const pipeline = redis.pipeline();
  for (const identity of identities) pipeline.hget(identity, "info");
  const replies = (await pipeline.exec()) ?? [];
  // A failed read counts as alive: pruning a live process would hide it from the Web UI.
  const gone = identities.filter((_, i) => {
    const [error, info] = replies[i] ?? [];
    return !error && info === null;
  });
  return gone.length === 0 ? 0 : redis.srem(PROCESSES, ...gone);
}
