// The worked example of docs/plugins.md: a plugin that counts runs, failures and deaths per job
// class in keys of its own, stamps jobs pushed from Node, reports on a timer, and (optionally)
// wraps the fetch strategy to count round trips. It imports only @kiq/core's public entry point.

import { BasicFetch, definePlugin, type Fetcher, keyspace } from "@kiq/core";

export interface JobStatsOptions {
  /** Key namespace; default "job-stats". */
  namespace?: string;
  /** Seconds between reports; default 60. */
  reportEvery?: number;
  /** Also count fetch round trips by wrapping the basic fetch. */
  countFetches?: boolean;
}

export const jobStats = definePlugin<JobStatsOptions | undefined>("job-stats", (host, options = {}) => {
  const key = keyspace(options.namespace ?? "job-stats");

  // Both sides: stamp every job pushed through this host.
  host.clientMiddleware.use(async ({ job }, next) => {
    job.pushed_by ??= "node";
    await next();
  });
  if (host.kind !== "server") return;

  host.serverMiddleware.use(async ({ item }, next) => {
    const name = item.wrapped ?? item.class;
    try {
      await next();
      await host.redis.hincrby(key("runs"), name, 1);
    } catch (error) {
      await host.redis.hincrby(key("failures"), name, 1);
      throw error; // let kiq's retry logic see it
    }
  });
  host.onDeath((item) => host.redis.hincrby(key("deaths"), item.wrapped ?? item.class, 1).then(() => {}));
  host.on("startup", () => host.logger.info({ identity: host.identity }, "job-stats installed"));
  host.on("shutdown", () => host.redis.hset(key("last-stop"), host.identity, Date.now()).then(() => {}));
  host.every(options.reportEvery ?? 60, async () => {
    host.logger.info({ runs: await host.redis.hgetall(key("runs")) }, "job-stats report");
    await host.redis.incr(key("reports"));
  });
  if (options.countFetches) {
    host.useFetcher(({ redis, popper, queues }) => {
      const basic = new BasicFetch(redis, popper, queues);
      const counting: Fetcher = {
        retrieveWork: async (max) => {
          await redis.incr(key("fetches"));
          return basic.retrieveWork(max);
        },
        acknowledge: (work) => basic.acknowledge(work),
        requeue: (works) => basic.requeue(works),
        wake: () => basic.wake(),
      };
      return counting;
    });
  }
});
