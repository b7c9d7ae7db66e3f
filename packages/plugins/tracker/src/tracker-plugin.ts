// The plugin: `kiq.use(tracker())`. On a worker it replaces the fetch with the reliable fetch, keeps
// the process' liveness key fresh, and recovers dead processes' jobs at startup and on a timer.
// Shutdown waits for every ack, then puts jobs fetched ahead back, then deletes the liveness key.

import { definePlugin, type Plugin } from "@kiq/core";
import { AckBatch } from "./ack-batch.js";
import { Liveness } from "./liveness.js";
import { OrphanRecovery } from "./orphan-recovery.js";
import { ReliableFetch } from "./reliable-fetch.js";
import { type TrackerOptions, trackerConfig } from "./tracker-options.js";
import { heartbeatKey } from "./working-lists.js";

/** Seconds the exit's writes (acks, requeue of fetched-ahead jobs) may take when Redis is away. */
export const EXIT_WRITE_TIMEOUT = 3;

/** The tracker plugin, for `kiq.use(tracker(options))`; it does nothing on a client. */
export function tracker(options: TrackerOptions = {}): Plugin {
  const config = trackerConfig(options);
  return definePlugin("tracker", async (host) => {
    if (host.kind !== "server") return;
    const { redis, logger, identity } = host;
    const acks = new AckBatch(redis, logger);
    let fetch: ReliableFetch | undefined;
    host.useFetcher((context) => {
      fetch = new ReliableFetch(context, { acks, prefetch: config.prefetch });
      return fetch;
    });
    const liveness = new Liveness(
      redis,
      heartbeatKey(identity),
      () => "1",
      config.heartbeatInterval,
      config.heartbeatTtl,
      logger,
    );
    const recovery = new OrphanRecovery({
      redis,
      identity,
      namespace: config.namespace,
      logger,
      sidekiqVersion: await host.sidekiqVersion(),
      maxInterruptions: config.maxInterruptions,
      recoveryInterval: config.recoveryInterval,
      scanInterval: config.scanInterval,
      releaseJob: (payload, reason) => host.releaseJob(payload, reason),
    });
    host.on("startup", async () => {
      await liveness.start();
      await recovery.register(fetch?.ownWorkingLists ?? []);
      await recovery.pass();
    });
    host.every(config.recoveryInterval, async () => {
      await recovery.pass();
    });
    host.on("quiet", () => fetch?.release());
    host.on("shutdown", async () => {
      const exit = async () => {
        await fetch?.release();
        await acks.flush();
        await recovery.unregisterEmpty(fetch?.ownWorkingLists ?? []);
        await liveness.stop();
      };
      if (!(await within(exit(), EXIT_WRITE_TIMEOUT * 1000)))
        logger.warn("tracker: Redis did not answer at exit; unfinished jobs stay in the working lists");
    });
  });
}

/** True if `promise` settles within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
