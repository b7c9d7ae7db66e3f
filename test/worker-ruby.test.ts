// Ruby → Node → Ruby: real Ruby Sidekiq enqueues, a kiq worker runs or fails the jobs, and Ruby's
// own API (and Ruby workers) take over from what kiq left in Redis: retries Ruby can run to
// success, dead jobs Ruby lists, and a process Ruby sees, quiets and stops.

import { decodeBacktrace, defineJob, type JobContext, Kiq, type SidekiqVersion } from "@kiq/core";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "./support/paths.js";
import { waitForReceived } from "./support/received.js";
import { closeAll, freshRedis, testRedisUrl } from "./support/redis.js";
import {
  type RubySidekiqServer,
  rubySidekiq,
  runRubyScript,
  SIDEKIQ_VERSIONS,
  startRubySidekiq,
} from "./support/ruby.js";

const ENQUEUE = rubyFixture("enqueue.rb");
const INSPECT = rubyFixture("inspect.rb");

interface SetEntry {
  value: string;
  score: number;
  item: Record<string, unknown>;
  view: { display_class: unknown; created_at: unknown; error_backtrace: unknown };
}
interface RubyView {
  retry: SetEntry[];
  dead: SetEntry[];
  processes: Record<string, unknown>[];
  workers: { process: string; queue: string; payload: string; run_at: number }[];
  stats: { processed: number; failed: number };
}

let redis: Redis;
let kiq: Kiq | undefined;
let server: RubySidekiqServer | undefined;
beforeEach(async () => {
  redis = await freshRedis();
});
afterEach(async () => {
  await Promise.all([kiq?.stop(), server?.stop()]);
  kiq = undefined;
  server = undefined;
});
afterAll(closeAll);

function startKiq(
  version: SidekiqVersion,
  jobs: ReturnType<typeof defineJob>[],
  concurrency = 3,
): Promise<void> {
  kiq = new Kiq({
    url: testRedisUrl(),
    sidekiqVersion: version,
    jobs,
    concurrency,
    heartbeatInterval: 200,
    pollIntervalAverage: 0.5,
    timeout: 1,
    logger: pino({ level: "silent" }),
  });
  return kiq.start();
}

async function until<T>(check: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(SIDEKIQ_VERSIONS)("with Ruby Sidekiq %i", (version) => {
  it("runs Ruby-enqueued jobs of every shape in Node with the right args", async () => {
    const seen: unknown[][] = [];
    await startKiq(version, [defineJob("Billing::Charge", (...args: unknown[]) => void seen.push(args))]);
    await runRubyScript(version, ENQUEUE, [
      {
        class: "Billing::Charge",
        args: [
          42,
          { $ruby: "1.0" },
          { $ruby: "-0.0" },
          { $ruby: "12345678901234567890" },
          { $ruby: "1.0e+20" },
          "ü日本",
          { amount: "19.99", tags: [], meta: {} },
          null,
          true,
        ],
      },
      { class: "Billing::Charge", args: [[1], [2]], bulk: true },
    ]);
    await until(async () => seen.length === 3);
    expect(seen).toContainEqual([
      42,
      1,
      -0,
      12345678901234567890n,
      1e20,
      "ü日本",
      { amount: "19.99", tags: [], meta: {} },
      null,
      true,
    ]);
    expect(seen).toContainEqual([1]);
    expect(seen).toContainEqual([2]);
  });

  it("leaves a failed job in Ruby's RetrySet with Ruby's error fields, and Ruby then runs it to success", async () => {
    const echo = defineJob("Echo", () => {
      throw new RangeError("declined by the bank");
    });
    await startKiq(version, [echo]);
    const args = [{ $ruby: "1.0" }, { $ruby: "12345678901234567890" }, "x"];
    const [jid] = await runRubyScript<string[]>(version, ENQUEUE, [{ class: "Echo", args, backtrace: true }]);
    const failedAt = Date.now() / 1000;
    const view = await until(async () => {
      const v = await runRubyScript<RubyView>(version, INSPECT);
      return v.retry.length === 1 && v.stats.failed === 1 ? v : undefined;
    });
    const [entry] = view.retry;
    expect(entry?.item).toMatchObject({
      jid,
      class: "Echo",
      error_class: "RangeError",
      error_message: "declined by the bank",
      retry_count: 0,
      queue: "default",
    });
    expect(entry?.value).toContain('"args":[1.0,12345678901234567890,"x"]');
    expect(entry?.score).toBeGreaterThan(failedAt + 14);
    expect(entry?.view.display_class).toBe("Echo");
    const frames = entry?.view.error_backtrace as string[];
    expect(frames[0]).toContain("worker-ruby.test.ts");
    expect(decodeBacktrace(entry?.item.error_backtrace)).toEqual(frames);
    await kiq?.stop();
    kiq = undefined;

    // The Web UI's "Retry now", by Ruby's API, then a Ruby worker runs it.
    await rubySidekiq(version, ["-rsidekiq/api", "-e", "Sidekiq::RetrySet.new.each(&:retry)"]);
    server = startRubySidekiq(version, { requireFile: rubyFixture("jobs.rb") });
    const [received] = await waitForReceived(redis, 1, { server });
    expect(received).toMatchObject({ jid, class: "Echo", args_inspect: '[1.0, 12345678901234567890, "x"]' });
  });

  it("puts exhausted jobs where Ruby's DeadSet lists them", async () => {
    await startKiq(version, [defineJob("Echo", () => Promise.reject(new Error("gone")))]);
    const [jid] = await runRubyScript<string[]>(version, ENQUEUE, [
      { class: "Echo", args: [{ $ruby: "-0.0" }], retry: 0 },
    ]);
    const view = await until(async () => {
      const v = await runRubyScript<RubyView>(version, INSPECT);
      return v.dead.length === 1 ? v : undefined;
    });
    expect(view.dead[0]?.item).toMatchObject({
      jid,
      error_class: "Error",
      error_message: "gone",
      retry_count: 0,
    });
    expect(view.dead[0]?.value).toContain('"args":[-0.0]');
  });

  it("shows the running Node process and its job to Ruby, which can quiet and stop it", async () => {
    let release: () => void = () => {};
    const running = defineJob("Billing::Charge", function (this: JobContext) {
      return new Promise<void>((resolve) => {
        release = resolve;
        this.signal.addEventListener("abort", () => resolve());
      });
    });
    await startKiq(version, [running], 4);
    const [jid] = await runRubyScript<string[]>(version, ENQUEUE, [{ class: "Billing::Charge", args: [7] }]);
    const view = await until(async () => {
      const v = await runRubyScript<RubyView>(version, INSPECT);
      return v.workers.length === 1 ? v : undefined;
    });
    const identity = kiq?.identity as string;
    expect(view.processes).toHaveLength(1);
    expect(view.processes[0]).toMatchObject({
      identity,
      concurrency: 4,
      busy: 1,
      quiet: "false",
      labels: ["kiq"],
    });
    expect(view.workers[0]).toMatchObject({ process: identity, queue: "default" });
    expect(JSON.parse(view.workers[0]?.payload as string).jid).toBe(jid);

    const stopped = kiq?.whenStopped();
    await rubySidekiq(version, [
      "-rsidekiq/api",
      "-e",
      `Sidekiq::ProcessSet.new.each { |p| p.quiet! if p["identity"] == "${identity}" }`,
    ]);
    await until(async () => kiq?.health().quiet);
    release();
    await rubySidekiq(version, [
      "-rsidekiq/api",
      "-e",
      `Sidekiq::ProcessSet.new.each { |p| p.stop! if p["identity"] == "${identity}" }`,
    ]);
    await stopped;
    kiq = undefined;
    const after = await runRubyScript<RubyView>(version, INSPECT);
    expect(after.workers).toEqual([]);
    expect(after.stats.processed).toBe(1);
  });
});
