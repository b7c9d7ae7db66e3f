// What a unique job's locks become when the job leaves without finishing (host.onJobReleased).
// "deleted" (through kiq's API) and "dead": the job's holds on D and D:RUN go, as the gem's API
// hooks and death handler remove the lock — but only this jid's hold (the unlock script yields to
// other holders), where the gem deletes the digest whoever holds it.
// "recovered" (a job taken back from a dead process, about to be pushed again with the same jid):
// the dead run's D:RUN goes, and the queued lock D is kept, or re-taken for the same jid, so the
// job runs at once and duplicates stay out meanwhile.

import { Payload, type PluginHost, type ReleaseReason } from "@kiq/core";
import { runDigest } from "./lock-keys.js";
import type { ScriptRedis } from "./lock-script.js";
import { type LockType, locksOnClient, lockTypeOf } from "./lock-type.js";
import { lock, lockLimit, unlock } from "./locksmith.js";
import { prepareItem, type UniqueItem } from "./prepare.js";
import type { UniqueConfig } from "./unique-config.js";

/** Unlocks with a type whose unlock removes the keys (until_expired's would leave them to their TTL). */
const REMOVING_TYPE = "until_executed";

interface Released {
  jid: string;
  type: LockType;
  digest: string;
  item: UniqueItem;
}

/** The unique job in a stored payload, or undefined (not a job, not unique). */
function releasedJob(payload: string, config: UniqueConfig): Released | undefined {
  let item: UniqueItem;
  try {
    item = Payload.parse(payload).item as unknown as UniqueItem;
  } catch {
    return undefined;
  }
  const type = lockTypeOf(item.lock);
  if (!type || typeof item.jid !== "string") return undefined;
  const stored = typeof item.lock_digest === "string" ? item.lock_digest : prepareItem({ ...item }, config);
  // A retried while_executing job carries the D:RUN digest (the gem appends it in the item).
  const digest = stored.endsWith(":RUN") ? stored.slice(0, -":RUN".length) : stored;
  return { jid: item.jid, type, digest, item };
}

/** Releases those of `digests` this jid holds (one round trip to ask); the others are left alone. */
async function releaseHeld(redis: ScriptRedis, digests: string[], jid: string, limit: number): Promise<void> {
  const pipeline = redis.pipeline();
  for (const digest of digests) pipeline.hexists(`${digest}:LOCKED`, jid);
  const held = (await pipeline.exec()) ?? [];
  for (const [i, digest] of digests.entries()) {
    const [error, exists] = held[i] ?? [];
    if (error) throw error;
    if (exists === 1) await unlock(redis, { digest, jid, type: REMOVING_TYPE, limit });
  }
}

export async function releaseLocks(
  host: PluginHost,
  config: UniqueConfig,
  payload: string,
  reason: ReleaseReason,
): Promise<void> {
  const job = releasedJob(payload, config);
  if (!job) return;
  const { jid, type, digest, item } = job;
  const limit = lockLimit(item.lock_limit);
  // The dead run's D:RUN always goes; D only when the job will never run.
  const released = reason === "recovered" ? [runDigest(digest)] : [runDigest(digest), digest];
  await releaseHeld(host.redis, released, jid, limit);
  if (reason !== "recovered") return;
  if (!locksOnClient(type)) return;
  const ttl = typeof item.lock_ttl === "number" ? item.lock_ttl : null;
  if (!(await lock(host.redis, { digest, jid, type, ttl, limit })))
    host.logger.warn(
      { jid, class: item.class, lock_digest: digest },
      "unique-jobs: recovered job's lock is now held by another job",
    );
}
