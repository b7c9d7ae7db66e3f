// Recipe: a periodic task that must never run twice at once. Every 10 seconds @kiq/cron enqueues
// SyncInventory; @kiq/unique-jobs' while_executing lock lets one run at a time. A tick that finds
// the previous run still going waits at most 1 s for it, then is logged and skipped. lock_ttl
// (longer than the task ever takes) frees the lock if the worker running it dies.
//
// Ruby equivalent: `sidekiq_options lock: :while_executing, lock_ttl: 120, on_conflict: :log` on
// the class, and the same sidekiq-cron entry: either side's runs exclude the other's.

import { defineJob, type JobHandler, Kiq, type KiqOptions } from "@kiq/core";
import { cron } from "@kiq/cron";
import { uniqueJobs } from "@kiq/unique-jobs";

/** The lock options the task's jobs carry (sidekiq-unique-jobs' names). */
export const OVERLAP_GUARD = {
  lock: "while_executing",
  /** Seconds; longer than the task ever runs, so only a dead worker's lock expires. */
  lock_ttl: 120,
  /** The gem's minimum server wait (1 s) for a run still going, then the strategy below. */
  lock_timeout: 0,
  /** A tick that finds the task running is logged ("Skipping job …") and dropped. */
  on_conflict: "log",
} as const;

export function inventoryWorker(
  sync: JobHandler,
  options: KiqOptions & { every?: string; pollInterval?: number } = {},
): Kiq {
  const { every = "*/10 * * * * *", pollInterval = 5, ...kiqOptions } = options;
  return new Kiq({ queues: ["default"], ...kiqOptions })
    .use(uniqueJobs())
    .use(
      cron({
        jobs: [{ name: "sync-inventory", cron: every, klass: "SyncInventory", options: OVERLAP_GUARD }],
        pollInterval,
      }),
    )
    .register(defineJob("SyncInventory", sync));
}
