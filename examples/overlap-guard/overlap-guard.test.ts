// The overlap-guard recipe, run as written: cron ticks (enqueued as @kiq/cron's poller enqueues
// them) that arrive while the task still runs are logged and skipped; the next tick after it
// finishes runs. Never two runs at once.

import { Client } from "@kiq/core";
import { CronPoller, CronStore } from "@kiq/cron";
import pino from "pino";
import { afterAll, afterEach, expect, it } from "vitest";
import { capturingLogger } from "../../packages/plugins/unique-jobs/test/support/log-lines.js";
import { closeAll, freshRedis, testRedisUrl } from "../../test/support/redis.js";
import { inventoryWorker, OVERLAP_GUARD } from "./overlap-guard.js";

/** Longer than the 1-second wait a skipped tick spends. */
const TASK_MS = 1800;
let stop: (() => Promise<void>) | undefined;

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 8000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

afterEach(async () => {
  await stop?.();
});
afterAll(closeAll);

it("a tick that finds the task running is logged and skipped; the runs never overlap", async () => {
  const redis = await freshRedis();
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const { logger, lines } = capturingLogger();
  const kiq = inventoryWorker(
    async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, TASK_MS));
      running--;
      runs++;
    },
    { url: testRedisUrl(), logger, pollInterval: 0, timeout: 1 },
  );
  await kiq.start();
  stop = () => kiq.stop();

  const store = new CronStore(redis);
  expect((await store.find("sync-inventory"))?.message).toMatchObject(OVERLAP_GUARD);
  const client = new Client({ redis, sidekiqVersion: 7, logger: pino({ level: "silent" }) });
  const ticks = new CronPoller(store, (item) => client.push(item));

  await ticks.enqueueNow("sync-inventory");
  await until(() => running === 1);
  await ticks.enqueueNow("sync-inventory"); // the task is still running
  await until(() => lines.some((line) => line.msg.startsWith("Skipping job with id")));
  expect(running).toBe(1);
  await until(() => runs === 1);
  await ticks.enqueueNow("sync-inventory"); // after it finished: runs
  await until(() => runs === 2);
  expect(maxRunning).toBe(1);
});
