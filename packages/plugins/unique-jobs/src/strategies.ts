// What each conflict strategy does (sidekiq-unique-jobs 8.1.0's OnConflict::*), on the client (a
// push whose lock is held) and on the server (a while_executing run whose D:RUN is held).

import { DeadSet, type PluginHost, type PushItem } from "@kiq/core";
import { type ConflictSide, type ConflictStrategy, scheduleIn, UniqueConflictError } from "./conflict.js";
import { deleteByDigest } from "./digests.js";
import { DIGESTS_KEY } from "./lock-keys.js";
import { LockScript } from "./lock-script.js";
import deleteJobByDigestLua from "./lua/delete-job-by-digest.lua";
import type { UniqueItem } from "./prepare.js";

const DELETE_JOB_BY_DIGEST = new LockScript("delete_job_by_digest", deleteJobByDigestLua);

/** The payload key of a job the reschedule strategy pushed; its next push is not lock-checked. */
export const RESCHEDULED = "rescheduled";

/**
 * Left out of the job the reschedule strategy pushes: what a push sets afresh, and what earlier runs
 * wrote (the gem pushes a new job from the class options and args, so it has neither).
 */
const FRESH_FIELDS = [
  "jid",
  "created_at",
  "enqueued_at",
  "at",
  "lock_digest",
  "lock_args",
  "retry_count",
  "failed_at",
  "retried_at",
  "error_message",
  "error_class",
  "error_backtrace",
  "discarded_at",
];

export interface Conflict {
  host: PluginHost;
  side: ConflictSide;
  item: UniqueItem;
  jid: string;
  digest: string;
  /** The job as stored (server side), for the dead set; the client writes its item. */
  payload?: string | undefined;
}

/**
 * replace: removes the first job of the digest from the job's queue, else `schedule`, else `retry`,
 * and then the digest's lock keys. False when no such job was found (it is running, or gone):
 * then nothing is deleted and the caller drops the new job.
 */
export async function replaceHolder(host: PluginHost, item: UniqueItem, digest: string): Promise<boolean> {
  const queue = typeof item.queue === "string" ? item.queue : "default";
  const deleted = await DELETE_JOB_BY_DIGEST.run(
    host.redis,
    [`queue:${queue}`, "schedule", "retry", DIGESTS_KEY],
    [digest],
  );
  if (deleted === null) return false;
  host.logger.info(
    { lock_digest: digest, job: String(deleted).slice(0, 500) },
    "unique-jobs: replaced job deleted",
  );
  await deleteByDigest(host.redis, digest, { runtime: false });
  return true;
}

/** The job the reschedule strategy pushes: the same class, queue, args and options, a new jid. */
export function rescheduledJob(item: UniqueItem, nowSeconds: number): PushItem {
  const job: Record<string, unknown> = { ...item };
  for (const field of FRESH_FIELDS) delete job[field];
  job[RESCHEDULED] = true;
  job.at = nowSeconds + scheduleIn(item);
  return job as unknown as PushItem;
}

/**
 * What follows a lock held by another jid. `replace` gets here only when it found no job to replace
 * (its success path differs per side and stays with the caller); then, as with no strategy, the job
 * is dropped.
 */
export async function resolveConflict(
  strategy: ConflictStrategy | undefined,
  conflict: Conflict,
): Promise<void> {
  const { host, item, jid, digest } = conflict;
  const fields = { jid, class: item.class, lock_digest: digest };
  switch (strategy) {
    case undefined:
    case "replace":
      // The gem's null strategy is silent; kiq says what happened, once per job, at info.
      host.logger.info(
        fields,
        conflict.side === "client"
          ? "unique-jobs: duplicate not pushed"
          : "unique-jobs: lock held elsewhere, job skipped",
      );
      return;
    case "log":
      host.logger.info(
        fields,
        `Skipping job with id (${jid}) because lock_digest: (${digest}) already exists`,
      );
      return;
    case "raise":
      throw new UniqueConflictError(jid, digest);
    case "reject":
      host.logger.info(fields, `Adding dead ${String(item.class)} job ${jid}`);
      await new DeadSet(host).kill(conflict.payload ?? (item as Parameters<DeadSet["kill"]>[0]));
      return;
    case "reschedule": {
      const rescheduled = await host.push(rescheduledJob(item, Date.now() / 1000));
      host.logger.info({ ...fields, rescheduled }, `unique-jobs: job ${jid} rescheduled`);
      return;
    }
  }
}
