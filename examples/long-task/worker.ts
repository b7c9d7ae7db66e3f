// A long periodic task done right: a cron entry enqueues Reports::Rebuild every 10 seconds, a run
// never overlaps another (a run that finds one in progress logs and skips), a failed run is retried
// 3 times with backoff, and when it gives up it logs a fatal line and calls your notifier. Every
// run logs its jid, attempt and duration.

import { defineJob, type JobContext, Kiq } from "@kiq/core";
import { cron } from "@kiq/cron";
import { uniqueJobs } from "@kiq/unique-jobs";
import type { Logger } from "pino";

export const TASK = "Reports::Rebuild";
/** How sidekiq-unique-jobs' "log" strategy starts its line for a tick that found the lock held. */
export const SKIPPED = "Skipping job with id";
export const QUEUE = "reports";
export const CRON_NAME = "rebuild-reports";
/** Retries after the first failure: at most 4 runs of one job. */
export const RETRIES = 3;

export interface LongTaskOptions {
  /** Redis URL. */
  url: string;
  /** Seconds between runs (a divisor of 60). Default 10. */
  every?: number;
  /** The longest a run may take (seconds); the lock outlives it. Default 60. */
  timeout?: number;
  /** The work itself. `signal` fires at shutdown or when the run exceeds its timeout. */
  work: (signal: AbortSignal) => Promise<void>;
  /** Told once when a job has failed for good, after its fatal log line. */
  notify: (failure: { jid: string; attempts: number; error: Error }) => unknown;
  logger?: Logger;
}

/** Retry number `count` (0, 1, 2) waits 2, 4, 8 s, plus Sidekiq's jitter. */
export const backoff = (count: number) => 2 ** (count + 1);

/** The cron entry (sidekiq-cron's keys: Ruby's Web UI lists it). Its options travel in every job it enqueues. */
export function cronEntry(every: number, timeout: number) {
  return {
    name: CRON_NAME,
    cron: `*/${every} * * * * *`, // six fields: the first is seconds
    klass: TASK,
    queue: QUEUE,
    options: {
      retry: RETRIES,
      // sidekiq-unique-jobs' runtime lock: held while a run performs. Its TTL outlives the run's
      // timeout, so it never expires under a live run, yet frees itself if the process dies.
      lock: "while_executing",
      lock_ttl: timeout * 2,
      on_conflict: "log", // a tick that finds the lock held logs the gem's "Skipping job …" line
    },
  };
}

export function longTaskWorker(options: LongTaskOptions): Kiq {
  const every = options.every ?? 10;
  const timeout = options.timeout ?? 60;
  const kiq = new Kiq({
    url: options.url,
    queues: [QUEUE],
    concurrency: 5, // room for overlapping runs: the lock, not a lone thread, keeps them apart
    ...(options.logger && { logger: options.logger }),
  });

  const rebuild = defineJob(
    TASK,
    async function (this: JobContext) {
      // retry_count is absent on the first run, then 0, 1, 2.
      const attempt = (this.retryCount ?? -1) + 2;
      const started = performance.now();
      const took = () => ({ attempt, duration_ms: Math.round(performance.now() - started) });
      this.logger.info({ attempt }, "rebuild started");
      try {
        await options.work(this.signal);
      } catch (error) {
        this.logger.error({ ...took(), err: error }, "rebuild failed");
        throw error;
      }
      this.logger.info(took(), "rebuild finished");
    },
    {
      timeout,
      retryIn: backoff,
      // Sidekiq's sidekiq_retries_exhausted: the last retry failed; the job goes to the dead set.
      retriesExhausted: async (item, error) => {
        const attempts = Number(item.retry_count) + 1; // retry_count counts from 0 at the first failure
        kiq.logger.fatal({ jid: item.jid, attempts, err: error }, "rebuild gave up");
        await options.notify({ jid: String(item.jid), attempts, error });
      },
    },
  );

  return kiq
    .register(rebuild)
    .use(uniqueJobs())
    .use(cron({ jobs: [cronEntry(every, timeout)], pollInterval: every / 2 }));
}
