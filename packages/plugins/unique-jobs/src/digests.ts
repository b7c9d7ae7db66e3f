// Removing whole digests, as sidekiq-unique-jobs 8.1.0's Digests#delete_by_digest (the replace
// strategy) and BatchDelete (the reaper) do: the lock's keys go whoever holds them.

import { DIGESTS_KEY, EXPIRING_DIGESTS_KEY, lockKeys, RUN_SUFFIX, runDigest } from "./lock-keys.js";
import type { ScriptRedis } from "./lock-script.js";

/** D, D:QUEUED, D:PRIMED, D:LOCKED (the keys delete_by_digest removes per half). */
function lockHalf(digest: string): string[] {
  return lockKeys(digest).slice(0, 4);
}

/** delete_by_digest: D's keys, with `runtime` also D:RUN's, and D out of `uniquejobs:digests`. */
export async function deleteByDigest(
  redis: ScriptRedis,
  digest: string,
  { runtime }: { runtime: boolean },
): Promise<void> {
  const keys = runtime ? [...lockHalf(digest), ...lockHalf(runDigest(digest))] : lockHalf(digest);
  await redis
    .multi()
    .del(...keys)
    .zrem(DIGESTS_KEY, digest)
    .exec();
}

/** Digests per pipeline, as the gem's BatchDelete. */
export const BATCH_DELETE_SIZE = 500;

/** BatchDelete: per digest the 10 keys of D and D:RUN (of the member as listed), and D out of both digest sets. */
export async function batchDelete(redis: ScriptRedis, digests: readonly string[]): Promise<void> {
  for (let start = 0; start < digests.length; start += BATCH_DELETE_SIZE) {
    const pipeline = redis.pipeline();
    for (const digest of digests.slice(start, start + BATCH_DELETE_SIZE)) {
      pipeline.unlink(...lockKeys(digest).slice(0, 5), ...lockKeys(`${digest}${RUN_SUFFIX}`).slice(0, 5));
      pipeline.zrem(DIGESTS_KEY, digest);
      pipeline.zrem(EXPIRING_DIGESTS_KEY, digest);
    }
    await pipeline.exec();
  }
}
