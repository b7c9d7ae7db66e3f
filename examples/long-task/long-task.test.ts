// The long-task example against the test run's real Redis, with 1-second ticks instead of 10 so the
// test runs in seconds: runs never overlap, each holding a lock that outlives it, and a busy tick is
// skipped with a log line; a failing run is retried 3 times at its backoff, then logged as fatal and
// notified once.

import { setTimeout as sleep } from "node:timers/promises";
import { DeadSet, type Kiq, RetrySet } from "@kiq/core";
import { CronPoller, CronStore } from "@kiq/cron";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { type CapturedLogger, capturedLogger } from "../../test/support/captured-logger.js";
import { closeAll, freshRedis, testRedisUrl } from "../../test/support/redis.js";
import { backoff, CRON_NAME, cronEntry, longTaskWorker, RETRIES, SKIPPED, TASK } from "./worker.js";

const RUN_MS = 3000;

let kiq: Kiq | undefined;
afterEach(async () => {
  await kiq?.stop();
  kiq = undefined;
});
afterAll(closeAll);

const skippedLines = (log: CapturedLogger) =>
  log.lines.filter((line) => String(line.msg).startsWith(SKIPPED));

describe("long-task", () => {
  it("runs on the ticks but never two at once; a tick that finds a run in progress logs and skips", async () => {
    const redis = await freshRedis();
    const log = capturedLogger();
    const notified: unknown[] = [];
    const lockTtls: number[] = []; // ms left on the runtime lock as each run starts
    kiq = longTaskWorker({
      url: testRedisUrl(),
      every: 1,
      logger: log.logger,
      work: async () => {
        const started = Date.now();
        const [runLock] = await redis.keys("uniquejobs:*:RUN:LOCKED");
        lockTtls.push(runLock ? await redis.pttl(runLock) : Number.NaN);
        await sleep(RUN_MS); // longer than the ticks' spacing
        await redis.rpush("runs", JSON.stringify([started, Date.now()]));
      },
      notify: (failure) => void notified.push(failure),
    });
    await kiq.start();
    await vi.waitFor(
      async () => {
        expect(await redis.llen("runs")).toBeGreaterThanOrEqual(2);
        expect(skippedLines(log).length).toBeGreaterThan(0);
      },
      { timeout: 15_000, interval: 100 },
    );
    await kiq.stop(); // lets a run in progress finish

    const runs = (await redis.lrange("runs", 0, -1)).map((run) => JSON.parse(run) as [number, number]);
    runs.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < runs.length; i++) expect(runs[i]?.[0]).toBeGreaterThanOrEqual(runs[i - 1]?.[1] ?? 0);

    expect(lockTtls).toHaveLength(runs.length);
    for (const ttl of lockTtls) expect(ttl).toBeGreaterThan(RUN_MS); // the lock outlives the run

    const skipped = skippedLines(log);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((line) => line.class === TASK && typeof line.jid === "string")).toBe(true);
    const finished = log.withMsg("rebuild finished");
    expect(finished).toHaveLength(runs.length);
    for (const line of finished) {
      expect(line).toMatchObject({ jid: expect.any(String), attempt: 1, class: TASK });
      expect(line.duration_ms).toBeGreaterThanOrEqual(RUN_MS);
    }
    expect(log.withMsg("rebuild failed")).toEqual([]);
    expect(notified).toEqual([]);
    // Skipped ticks are other jobs, not repeats of a run.
    const ranJids = new Set(finished.map((line) => line.jid));
    expect(skipped.some((line) => ranJids.has(line.jid))).toBe(false);
  });

  it("retries a failing run 3 times with backoff, then logs a fatal line and notifies once", async () => {
    const redis = await freshRedis();
    const log = capturedLogger();
    // The schedule is saved disabled, so the only job is the one this test enqueues ("Enqueue now").
    const store = new CronStore(redis);
    await store.save({ ...cronEntry(1, 60), status: "disabled" });
    const notified: { jid: string; attempts: number; error: Error }[] = [];
    kiq = longTaskWorker({
      url: testRedisUrl(),
      every: 1,
      logger: log.logger,
      work: () => Promise.reject(new Error("upstream unavailable")),
      notify: (failure) => void notified.push(failure),
    });
    await kiq.start();
    const worker = kiq;
    await new CronPoller(store, (item) => worker.client.push(item)).enqueueNow(CRON_NAME);

    // Each failure waits in the retry set for its backoff (+ Sidekiq's jitter, up to 9 s × (count + 1)).
    // The test checks the wait, then moves the job on at once, as the poller would when it is due.
    const retries = new RetrySet({ redis });
    for (let count = 0; count < RETRIES; count++) {
      const entry = await vi.waitFor(
        async () => {
          const [first] = await retries.fetch([0, Number.POSITIVE_INFINITY]);
          if (first?.item.retry_count !== count) throw new Error(`retry ${count} not in the retry set yet`);
          return first;
        },
        { timeout: 5000, interval: 50 },
      );
      const wait = entry.score - Date.now() / 1000;
      expect(wait).toBeGreaterThan(backoff(count) - 1);
      expect(wait).toBeLessThanOrEqual(backoff(count) + 9 * (count + 1));
      expect(await entry.addToQueue()).toBe(true);
    }
    const dead = new DeadSet({ redis });
    await vi.waitFor(async () => expect(await dead.size()).toBe(1), { timeout: 5000, interval: 50 });

    const failed = log.withMsg("rebuild failed");
    expect(failed.map((line) => line.attempt)).toEqual([1, 2, 3, 4]);
    const jid = failed[0]?.jid;
    for (const line of failed) {
      expect(line).toMatchObject({ jid, class: TASK, err: { message: "upstream unavailable" } });
      expect(line.duration_ms).toEqual(expect.any(Number));
    }
    const fatal = log.lines.filter((line) => line.level === 60);
    expect(fatal).toEqual([expect.objectContaining({ msg: "rebuild gave up", jid, attempts: 4 })]);
    expect(notified).toEqual([
      { jid, attempts: 4, error: expect.objectContaining({ message: "upstream unavailable" }) },
    ]);
    expect(await retries.size()).toBe(0);
  });
});
