// The notifications example end to end: real Ruby Sidekiq (6.4.1, 7.3.10, 8.1.7) runs the Rails
// side's enqueue against the test run's Redis — every notification twice, as an app that retried
// its request would — and a kiq worker delivers them, with one chat send failing once.
// Checked: each channel sent each notification exactly once, amounts byte-exact, nothing left over.

import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DeadSet, type Kiq, Queue, RetrySet } from "@kiq/core";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { capturedLogger } from "../../test/support/captured-logger.js";
import { closeAll, freshRedis, testRedisUrl } from "../../test/support/redis.js";
import { runRubyScript, SIDEKIQ_VERSIONS } from "../../test/support/ruby.js";
import { CHANNELS, queueFor } from "./notification.js";
import { SAMPLE_NOTIFICATIONS } from "./samples.js";
import { fakeTransports, outboxKey, type Sent } from "./transports.js";
import { notificationWorker } from "./worker.js";

const ENQUEUE_RB = path.join(import.meta.dirname, "rails", "enqueue.rb");

const notifications = SAMPLE_NOTIFICATIONS;
const amounts = notifications.map((n) => n.amount).sort();

let kiq: Kiq | undefined;
afterEach(async () => {
  await kiq?.stop();
  kiq = undefined;
});
afterAll(closeAll);

describe.each(SIDEKIQ_VERSIONS)("notifications, enqueued by Ruby Sidekiq %i", (version) => {
  it("sends every notification once per channel, amounts exact, a failed send retried", async () => {
    const redis = await freshRedis();
    const logFile = path.join(await mkdtemp(path.join(tmpdir(), "kiq-notifications-")), "notifications.log");
    const transports = fakeTransports(redis, logFile);
    // The chat service is down for the first send it gets.
    const chat = transports.chat;
    let chatDown = true;
    transports.chat = async (n) => {
      if (chatDown) {
        chatDown = false;
        throw new Error("chat service unavailable");
      }
      await chat(n);
    };

    const twice = [...notifications, ...notifications];
    const enqueued = await runRubyScript<{ jobs: number; sidekiq: string }>(version, ENQUEUE_RB, twice);
    expect(enqueued.jobs).toBe(twice.length * CHANNELS.length);
    expect(enqueued.sidekiq).toMatch(new RegExp(`^${version}\\.`));

    const log = capturedLogger();
    kiq = notificationWorker({ url: testRedisUrl(), redis, transports, logger: log.logger });
    await kiq.start();
    // The failed chat job waits in the retry set for its backoff; move it on now, as its due time would.
    const retries = new RetrySet({ redis });
    await vi.waitFor(
      async () => {
        const [failed] = await retries.fetch([0, Number.POSITIVE_INFINITY]);
        if (!failed) throw new Error("the chat failure is not in the retry set yet");
        expect(failed.item).toMatchObject({
          queue: queueFor("chat"),
          error_message: "chat service unavailable",
        });
        expect(await failed.addToQueue()).toBe(true);
      },
      { timeout: 10_000, interval: 50 },
    );
    await vi.waitFor(
      async () => {
        for (const channel of CHANNELS) expect(await new Queue({ redis }, queueFor(channel)).size()).toBe(0);
        expect(await redis.llen(outboxKey("chat"))).toBe(notifications.length);
      },
      { timeout: 10_000, interval: 50 },
    );
    await kiq.stop(); // lets jobs still running finish

    for (const channel of ["email", "browser", "chat"] as const) {
      const sent = (await redis.lrange(outboxKey(channel), 0, -1)).map((entry) => JSON.parse(entry) as Sent);
      expect(sent.map((s) => s.dedup_key).sort()).toEqual(notifications.map((n) => n.dedup_key).sort());
      expect(sent.map((s) => s.amount).sort()).toEqual(amounts);
    }
    const logLines = (await readFile(logFile, "utf8")).trimEnd().split("\n");
    expect(logLines.sort()).toEqual(
      notifications
        .map((n) => `${n.dedup_key} ${n.event}: ${n.amount} ${n.currency} (user ${n.user_id})`)
        .sort(),
    );
    // 32 jobs: each channel's first of a notification sent it, the duplicate skipped (whichever ran first).
    expect(log.withMsg("notification sent")).toHaveLength(notifications.length * CHANNELS.length);
    expect(log.withMsg("notification already sent, skipped")).toHaveLength(
      notifications.length * CHANNELS.length,
    );
    expect(await retries.size()).toBe(0);
    expect(await new DeadSet({ redis }).size()).toBe(0);
  });
});
