// Ruby schedules and retries, kiq's poller moves, Ruby runs: a job Ruby Sidekiq put in `schedule`
// (Client.push with a past `at`) and a retry entry written by Ruby's own JobRetry reach their
// queues with Ruby's bytes and a fresh enqueued_at in the version's unit, Ruby's API reads them,
// and a real Ruby Sidekiq server runs them with the args Ruby meant.

import { ScheduledPoller } from "@kiq/core";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "./support/paths.js";
import { waitForReceived } from "./support/received.js";
import { closeAll, freshRedis } from "./support/redis.js";
import { type RubySidekiqServer, runRubyScript, SIDEKIQ_VERSIONS, startRubySidekiq } from "./support/ruby.js";

const silent = pino({ level: "silent" });
/** The queue fixtures/ruby/retry_entry.rb fails its jobs in: the retry entry names it. */
const FAILING_QUEUE = "kiq-test-failing";

let redis: Redis;
let server: RubySidekiqServer | undefined;
beforeEach(async () => {
  redis = await freshRedis();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(closeAll);

interface JobView {
  created_at: number | { raised: string };
  enqueued_at: number | { raised: string };
}
interface Inspected {
  queues: Record<string, string[]>;
  queue_views: Record<string, JobView[]>;
  scheduled: { value: string }[];
  retry: unknown[];
}

/** The payload with its enqueued_at field taken out, and that field's text. */
function withoutEnqueuedAt(payload: string): { enqueuedAt: string | undefined; rest: string } {
  const match = /,"enqueued_at":([0-9.e+-]+)/.exec(payload);
  return { enqueuedAt: match?.[1], rest: match ? payload.replace(match[0], "") : payload };
}

describe.each(SIDEKIQ_VERSIONS)("Ruby Sidekiq %i schedules and retries, kiq moves", (version) => {
  it("Ruby's API reads the moved jobs and a Ruby server runs them with the args Ruby meant", async () => {
    const [scheduledJid, laterJid] = await runRubyScript<string[]>(version, rubyFixture("enqueue.rb"), [
      {
        class: "Echo",
        args: [{ $ruby: "1.0" }, { $ruby: "-0.0" }, { $ruby: "12345678901234567890" }],
        at: { $ruby: "Time.now.to_f - 5" },
      },
      { class: "Echo", args: ["later"], at: { $ruby: "Time.now.to_f + 3600" } },
    ]);
    const [retried] = await runRubyScript<{ jid: string; score: number }[]>(
      version,
      rubyFixture("retry_entry.rb"),
      [
        {
          class: "Echo",
          args: [
            { $ruby: "1.5" },
            { $ruby: "-0.0" },
            { $ruby: "-99999999999999999999" },
            { $ruby: '{"a" => [1.0e+20, nil]}' },
          ],
        },
      ],
    );
    const scheduledRaw = (await redis.zrange("schedule", 0, -1)).find((m) =>
      m.includes(scheduledJid as string),
    );
    const [retryRaw] = await redis.zrange("retry", 0, -1);
    expect(scheduledRaw).toBeDefined();
    expect(retryRaw).toContain(retried?.jid);
    // The retry is due in 15-45 s; make it due now, as if that time had come.
    await redis.zadd("retry", "XX", Date.now() / 1000 - 1, retryRaw as string);

    const before = Date.now() / 1000;
    const poller = new ScheduledPoller({ redis, sidekiqVersion: version, logger: silent });
    expect(await poller.enqueueDue()).toBe(2);

    // Byte for byte what Ruby stored, but for enqueued_at, in the version's unit.
    const [queuedScheduled] = await redis.lrange("queue:default", 0, -1);
    const [queuedRetry] = await redis.lrange(`queue:${FAILING_QUEUE}`, 0, -1);
    const moved = withoutEnqueuedAt(queuedScheduled as string);
    expect(moved.rest).toBe(scheduledRaw);
    expect(withoutEnqueuedAt(queuedRetry as string).rest).toBe(withoutEnqueuedAt(retryRaw as string).rest);
    // 8.x: Integer epoch ms; 6.x/7.x: Float epoch seconds (Float#to_s always has a ".").
    const unit = version === 8 ? /^\d{13}$/ : /^\d{10}\.\d+$/;
    expect(moved.enqueuedAt).toMatch(unit);
    expect(withoutEnqueuedAt(queuedRetry as string).enqueuedAt).toMatch(unit);

    const view = await runRubyScript<Inspected>(version, rubyFixture("inspect.rb"));
    expect(view.queues.default).toEqual([queuedScheduled]);
    expect(view.queues[FAILING_QUEUE]).toEqual([queuedRetry]);
    for (const job of [view.queue_views.default?.[0], view.queue_views[FAILING_QUEUE]?.[0]]) {
      // Ruby reads enqueued_at in its own unit (8.x: Integer ms), as a time just now.
      expect(job?.enqueued_at).toBeGreaterThanOrEqual(before - 1);
      expect(job?.enqueued_at).toBeLessThan(Date.now() / 1000 + 1);
      expect(job?.created_at).toBeGreaterThan(before - 120);
    }
    expect(view.scheduled.map((e) => e.value)).toEqual([expect.stringContaining(laterJid as string)]);
    expect(view.retry).toEqual([]);

    server = startRubySidekiq(version, {
      requireFile: rubyFixture("jobs.rb"),
      queues: ["default", FAILING_QUEUE],
    });
    const received = await waitForReceived(redis, 2, { server, timeoutMs: 20_000 });
    const byJid = new Map(received.map((r) => [r.jid, r.args_inspect]));
    expect(byJid.get(scheduledJid as string)).toBe("[1.0, -0.0, 12345678901234567890]");
    expect(byJid.get(retried?.jid as string)).toBe(
      '[1.5, -0.0, -99999999999999999999, {"a"=>[1.0e+20, nil]}]',
    );
    expect(received.every((r) => r.sidekiq_version.startsWith(`${version}.`))).toBe(true);
  });
});
