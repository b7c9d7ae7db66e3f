// Takes and releases one jid's hold on one digest, in the gem's keys.

import { lockKeys } from "./lock-keys.js";
import { LockScript, type ScriptRedis } from "./lock-script.js";
import queueAndLockLua from "./lua/queue-and-lock-8.lua";
import unlockLua from "./lua/unlock-8.lua";

const QUEUE_AND_LOCK = new LockScript("queue_and_lock", queueAndLockLua);
const UNLOCK = new LockScript("unlock", unlockLua);
const MS_PER_SECOND = 1000;
/** `lock_limit` when the job sets none: one holder. */
export const DEFAULT_LOCK_LIMIT = 1;

export interface LockRequest {
  digest: string;
  jid: string;
  type: string;
  /** Seconds; null or 0 = no expiry. */
  ttl: number | null;
  limit: number;
  /** The `digests` score: the job's `at` when scheduled (8.0.10+), else now. */
  at?: number | undefined;
}

/** The `lock_limit` of an item (absent = 1). */
export function lockLimit(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && n > 0 ? Math.trunc(n) : DEFAULT_LOCK_LIMIT;
}

/** true when this jid now holds the digest (or already did). */
export async function lock(redis: ScriptRedis, request: LockRequest): Promise<boolean> {
  const pttl = request.ttl && request.ttl > 0 ? request.ttl * MS_PER_SECOND : 0;
  const score = request.at === undefined ? "" : String(request.at);
  const result = await QUEUE_AND_LOCK.run(redis, lockKeys(request.digest), [
    request.jid,
    pttl,
    request.type,
    request.limit,
    score,
    Date.now() / MS_PER_SECOND,
  ]);
  return result === request.jid;
}

/** true when released; false when other holders or waiters keep it (the gem's "yielding"). */
export async function unlock(
  redis: ScriptRedis,
  request: Pick<LockRequest, "digest" | "jid" | "type" | "limit">,
): Promise<boolean> {
  const result = await UNLOCK.run(redis, lockKeys(request.digest), [
    request.jid,
    request.type,
    request.limit,
  ]);
  return result === request.jid;
}

/** true when this jid is among the digest's holders. */
export async function holdsLock(redis: ScriptRedis, digest: string, jid: string): Promise<boolean> {
  return (await redis.hexists(`${digest}:LOCKED`, jid)) === 1;
}
