// sidekiq-assured-jobs' tracking, as server middleware: while an opted-in job runs, its jid is in
// the instance's jobs set and its payload (the bytes as fetched) in a copy key; both go when it
// ends, failed or not. A Ruby instance of the gem recovers what a dead kiq instance left, and the
// reverse. Unlike the reliable fetch this is not atomic with the fetch: a process killed between
// BRPOP and the SADD loses the job, as it does in Ruby.

import type { ServerMiddleware } from "@kiq/core";
import type { AssuredKeys } from "./assured-keys.js";
import type { TrackerLogger, TrackerRedis } from "./host-types.js";

export interface AssuredTrackingOptions {
  redis: TrackerRedis;
  keys: AssuredKeys;
  instanceId: string;
  logger: TrackerLogger;
  /** Track every job, not only those opted in. */
  trackAll: boolean;
}

/** The gem's opt-in (`assured_jobs: true`, or `processing: true` in sidekiq-processing-tracker), in the job or its definition. */
export function optedIn(item: Record<string, unknown>, definitionOptions: Record<string, unknown>): boolean {
  return (
    item.assured_jobs === true ||
    item.processing === true ||
    definitionOptions.assured_jobs === true ||
    definitionOptions.processing === true
  );
}

export function assuredTracking(options: AssuredTrackingOptions): ServerMiddleware {
  const { redis, keys, instanceId, logger, trackAll } = options;
  const jobs = keys.jobs(instanceId);
  return async ({ item, definition, payload, job }, next) => {
    if (!trackAll && !optedIn(item, definition.options)) return next();
    const jid = String(item.jid);
    const write = async (what: string, commands: ReturnType<TrackerRedis["multi"]>) => {
      try {
        const failed = ((await commands.exec()) ?? []).find(([error]) => error);
        if (failed) throw failed[0];
      } catch (error) {
        logger.error({ err: error, jid }, `tracker: could not ${what} tracking the job`);
      }
    };
    let untracked: Promise<void> | undefined;
    const untrack = () => {
      untracked ??= write("stop", redis.multi().srem(jobs, jid).del(keys.job(jid)));
      return untracked;
    };
    // Shutdown has pushed the job back to its queue: it is no orphan even if the handler hangs on.
    const onAbort = () => {
      if ((job.signal.reason as Error | undefined)?.name === "ShutdownError") void untrack();
    };
    await write("start", redis.multi().sadd(jobs, jid).set(keys.job(jid), payload));
    job.signal.addEventListener("abort", onAbort);
    try {
      await next();
    } finally {
      job.signal.removeEventListener("abort", onAbort);
      await untrack();
    }
  };
}
