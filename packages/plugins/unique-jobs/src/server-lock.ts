// What the gem's server middleware does around perform, per lock type (8.1.0, spec §1.7):
// until_executing releases before perform (re-locks on failure); until_executed releases after a
// successful perform (kept on failure, so retries stay unique); until_expired never releases;
// while_executing holds `D:RUN` during perform; until_and_while_executing does both halves (and,
// as the gem, does not run when releasing D fails because another jid holds it).

import { runDigest } from "./lock-keys.js";
import type { ScriptRedis } from "./lock-script.js";
import type { LockType } from "./lock-type.js";
import { holdsLock, type LockRequest, lock, unlock } from "./locksmith.js";

export interface ServerLockJob extends LockRequest {
  type: LockType;
  /** The job's lock_timeout in seconds (null/0: the gem's 1-second minimum). */
  timeout: number | null;
}

/** The gem waits at least 1 s on the server path (`lock_timeout` 0 → 1) and at most 5 s (MAX_BLOCKING_WAIT). */
export const MIN_SERVER_WAIT_S = 1;
export const MAX_SERVER_WAIT_S = 5;
/** How often a waiting server lock retries. The gem blocks on BLMOVE D:QUEUED instead; kiq polls so
 * that it never blocks the host's shared command connection (unlocks by either side still wake it). */
export const LOCK_POLL_MS = 25;

/** The gem's server-side wait: lock_timeout seconds, 0 → 1, capped at 5. */
export function serverWaitSeconds(timeout: number | null): number {
  const seconds = timeout && timeout > 0 ? Math.trunc(timeout) : MIN_SERVER_WAIT_S;
  return Math.min(seconds, MAX_SERVER_WAIT_S);
}

/** Tries to lock until the server wait runs out. */
async function lockWaiting(
  redis: ScriptRedis,
  request: LockRequest,
  timeout: number | null,
): Promise<boolean> {
  const deadline = Date.now() + serverWaitSeconds(timeout) * 1000;
  for (;;) {
    if (await lock(redis, request)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/**
 * What happened: "ran"; "skipped" when another jid holds the lock of an until_executed or
 * until_and_while_executing job (the gem drops it); "conflict" when another jid holds D:RUN (the gem then calls the server conflict strategy).
 */
export type ServerOutcome = "ran" | "skipped" | "conflict";

async function runHolding(
  redis: ScriptRedis,
  request: LockRequest,
  timeout: number | null,
  perform: () => Promise<void>,
): Promise<ServerOutcome> {
  if (!(await lockWaiting(redis, request, timeout))) return "conflict";
  try {
    await perform();
  } finally {
    await unlock(redis, request);
  }
  return "ran";
}

export async function aroundPerform(
  redis: ScriptRedis,
  job: ServerLockJob,
  perform: () => Promise<void>,
): Promise<ServerOutcome> {
  switch (job.type) {
    case "until_executing":
      await unlock(redis, job);
      try {
        await perform();
      } catch (error) {
        await lock(redis, job);
        throw error;
      }
      return "ran";
    case "until_executed":
      if (!(await holdsLock(redis, job.digest, job.jid)) && !(await lockWaiting(redis, job, job.timeout)))
        return "skipped";
      await perform();
      await unlock(redis, job);
      return "ran";
    case "until_expired":
      await perform();
      return "ran";
    case "while_executing":
      return runHolding(
        redis,
        { ...job, digest: runDigest(job.digest), at: undefined },
        job.timeout,
        perform,
      );
    case "until_and_while_executing": {
      // Another jid holds D (this one's lock expired or was taken over): the gem does not run it.
      if (!(await unlock(redis, job))) return "skipped";
      try {
        return await runHolding(
          redis,
          { ...job, digest: runDigest(job.digest), at: undefined },
          job.timeout,
          perform,
        );
      } catch (error) {
        await lock(redis, job);
        throw error;
      }
    }
  }
}
