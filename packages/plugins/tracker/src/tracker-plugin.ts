// The plugin: `kiq.use(tracker())`. On a worker, mode "fetch" replaces the fetch with the reliable
// fetch, keeps the process' liveness key fresh and recovers dead processes' working lists; mode
// "assured" keeps sidekiq-assured-jobs' per-instance heartbeat and tracked-job sets and recovers
// dead instances' jobs. Both recover at startup and every `recoveryInterval` seconds.

import { randomBytes } from "node:crypto";
import { definePlugin, formatFloat, nowMs, type Plugin, type ServerPluginHost } from "@kiq/core";
import { AssuredKeys } from "./assured-keys.js";
import { AssuredRecovery } from "./assured-recovery.js";
import { assuredTracking } from "./assured-tracking.js";
import { Liveness } from "./liveness.js";
import { OrphanRecovery } from "./orphan-recovery.js";
import { ReliableFetch } from "./reliable-fetch.js";
import { type TrackerConfig, type TrackerOptions, trackerConfig } from "./tracker-options.js";
import { heartbeatKey } from "./working-lists.js";

/** Seconds the exit's writes (acks, requeue of fetched-ahead jobs) may take when Redis is away. */
export const EXIT_WRITE_TIMEOUT = 3;

/** The tracker plugin, for `kiq.use(tracker(options))`; it does nothing on a client. */
export function tracker(options: TrackerOptions = {}): Plugin {
  const config = trackerConfig(options);
  return definePlugin("tracker", async (host) => {
    if (host.kind !== "server") return;
    if (config.mode === "assured") await installAssured(host, config);
    else await installReliableFetch(host, config);
  });
}

async function installReliableFetch(host: ServerPluginHost, config: TrackerConfig): Promise<void> {
  const { redis, logger, identity } = host;
  let fetch: ReliableFetch | undefined;
  host.useFetcher((context) => {
    fetch = new ReliableFetch(context, { prefetch: config.prefetch });
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
  // Fetched-ahead jobs back and every ack written, then the liveness key goes.
  onExit(host, async () => {
    await fetch?.release();
    await recovery.unregisterEmpty(fetch?.ownWorkingLists ?? []);
    await liveness.stop();
  });
}

async function installAssured(host: ServerPluginHost, config: TrackerConfig): Promise<void> {
  const { redis, logger } = host;
  const instanceId = config.instanceId ?? randomBytes(8).toString("hex");
  const keys = new AssuredKeys(config.namespace);
  host.serverMiddleware.use(assuredTracking({ redis, keys, instanceId, logger, trackAll: config.trackAll }));
  const liveness = new Liveness(
    redis,
    keys.instance(instanceId),
    () => formatFloat(nowMs() / 1000),
    config.heartbeatInterval,
    config.heartbeatTtl,
    logger,
  );
  const recovery = new AssuredRecovery({
    redis,
    keys,
    instanceId,
    logger,
    sidekiqVersion: await host.sidekiqVersion(),
    maxInterruptions: config.maxInterruptions,
    recoveryInterval: config.recoveryInterval,
    releaseJob: (payload, reason) => host.releaseJob(payload, reason),
  });
  host.on("startup", async () => {
    await liveness.start();
    await recovery.pass();
  });
  host.every(config.recoveryInterval, async () => {
    await recovery.pass();
  });
  // As the gem: only the heartbeat goes. Jobs still tracked then (a handler that outlived the
  // shutdown and was not pushed back) are orphans for the next pass.
  onExit(host, () => liveness.stop());
}

/** Runs `exit` at shutdown, bounded: with Redis away the process leaves anyway. */
function onExit(host: ServerPluginHost, exit: () => Promise<void>): void {
  host.on("shutdown", async () => {
    if (!(await within(exit(), EXIT_WRITE_TIMEOUT * 1000)))
      host.logger.warn("tracker: Redis did not answer at exit; unfinished jobs stay tracked for recovery");
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
