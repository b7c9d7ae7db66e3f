import { definePlugin, type Plugin, type PluginHost } from "@kiq/core";
import { type CronJobDefinition, validateDefinition } from "./cron-job.js";
import { migrateLegacyJobs } from "./cron-migration.js";
import { CronPoller, type CronPollerOptions, RESCHEDULE_GRACE_SECONDS, seconds } from "./cron-poller.js";
import { CronStore, type CronStoreOptions, checkStoreOptions, namespaceOf } from "./cron-store.js";
import { readSchedule } from "./schedule-file.js";

/** `layout`, `namespace` and `availableNamespaces` choose sidekiq-cron 1.x's keys (default) or 2.x's. */
export interface CronOptions extends CronStoreOptions, Pick<CronPollerOptions, "rescheduleGracePeriod"> {
  /** Jobs saved (created or updated, never deleted) when the plugin installs, as a schedule file's are. */
  jobs?: CronJobDefinition[];
  /**
   * Seconds between polls on a worker; 0 turns the poller off (jobs are still saved). Default 30,
   * sidekiq-cron's `cron_poll_interval`. A cron that ticks faster than this skips ticks, as in Ruby.
   */
  pollInterval?: number;
  /** A sidekiq-cron schedule file (e.g. "config/schedule.yml") whose jobs are saved at install, after `jobs`. */
  scheduleFile?: string;
}

/**
 * The schedule file's jobs saved with `source: schedule`; with layout 2.x, as 2.x's loader does,
 * first destroying the jobs an earlier version of the file created and this one no longer names.
 */
async function loadSchedule(store: CronStore, file: string, logger: PluginHost["logger"]): Promise<void> {
  const jobs = await readSchedule(file);
  for (const job of jobs) store.checkDefinition(job); // all checked before anything is destroyed or saved
  if (store.layout === "2.x") {
    const removed = await store.destroyRemovedScheduleJobs(jobs.map((job) => job.name));
    if (removed.length > 0) logger.info({ removed }, "cron: destroyed jobs no longer in the schedule file");
  }
  for (const job of jobs) await store.save(job, new Date(), "schedule");
}

/** sidekiq-cron's default `cron_poll_interval`. */
export const DEFAULT_POLL_INTERVAL = 30;

/**
 * The cron plugin: `kiq.use(cron({ jobs: [...] }))`. Every definition is checked when the plugin is
 * made (a bad cron throws here, at load), saved in sidekiq-cron's keys at install, and a worker
 * polls on its timers, enqueueing each due tick once across every Ruby and Node poller, through the
 * host's client middleware. With layout 2.x a worker first migrates 1.x jobs, as a 2.x poller does.
 */
export function cron(options: CronOptions = {}): Plugin {
  const pollInterval = seconds("pollInterval", options.pollInterval ?? DEFAULT_POLL_INTERVAL);
  const rescheduleGracePeriod = seconds(
    "rescheduleGracePeriod",
    options.rescheduleGracePeriod ?? RESCHEDULE_GRACE_SECONDS,
  );
  const jobs = options.jobs ?? [];
  const storeOptions = checkStoreOptions(options);
  for (const job of jobs) {
    validateDefinition(job);
    namespaceOf(job, storeOptions);
  }
  return definePlugin("cron", async (host) => {
    const cronStore = new CronStore(host.redis, storeOptions);
    const polls = host.kind === "server" && pollInterval > 0;
    if (polls && cronStore.layout === "2.x") {
      const moved = await migrateLegacyJobs(cronStore);
      if (moved.length > 0)
        host.logger.info({ moved }, "cron: moved sidekiq-cron 1.x jobs into namespace keys");
    }
    for (const job of jobs) await cronStore.save(job);
    if (options.scheduleFile) await loadSchedule(cronStore, options.scheduleFile, host.logger);
    if (!polls || host.kind !== "server") return;
    const poller = new CronPoller(cronStore, (item) => host.push(item), {
      logger: host.logger,
      rescheduleGracePeriod,
    });
    host.every(pollInterval, async () => {
      const enqueued = await poller.poll();
      if (enqueued.length > 0) host.logger.debug({ enqueued }, "cron: enqueued due jobs");
    });
  });
}
