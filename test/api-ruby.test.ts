// kiq's API and Ruby's Sidekiq::API over the same Redis, for Sidekiq 6, 7 and 8: Ruby pushes,
// schedules, retries and kills jobs; kiq's Stats, Queue and sorted sets answer what Ruby's answer
// (sizes, latencies, history, entries and scores in Ruby's order, findJob, scan); then kiq acts
// (retry, kill, delete, add to queue, clear, retry all) and Ruby's API sees exactly the result.

import {
  DeadSet,
  type JobSet,
  Queue,
  RetrySet,
  ScheduledSet,
  type SidekiqVersion,
  Stats,
  type StatsHistory,
} from "@kiq/core";
import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "./support/paths.js";
import { closeAll, freshRedis } from "./support/redis.js";
import { runRubyScript, SIDEKIQ_VERSIONS } from "./support/ruby.js";

/** The queue fixtures/ruby/retry_entry.rb fails its jobs in: the retry entries name it. */
const FAILING_QUEUE = "kiq-test-failing";
const HISTORY = { days: 4, start: "2026-01-03" };
/** Seconds between kiq's read and Ruby's (a Ruby start) that latencies may differ by. */
const LATENCY_SLACK = 3;

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});
afterAll(closeAll);

type Entry = [value: string, score: number];
type SetName = "schedule" | "retry" | "dead";
const SET_NAMES: readonly SetName[] = ["schedule", "retry", "dead"];

/** What fixtures/ruby/api.rb prints (and kiqAnswers builds the same way). */
interface ApiAnswers {
  stats: Record<string, number>;
  stats_queues: [string, number][];
  history: StatsHistory;
  queues: { name: string; size: number; latency: number; jobs: string[] }[];
  sets: Record<SetName, { size: number; entries: Entry[] }>;
  found: Record<string, { queues: Record<string, string | null> } & Record<SetName, Entry | null>>;
  scan: Entry[];
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function sets(version: SidekiqVersion): Record<SetName, JobSet> {
  const source = { redis, sidekiqVersion: version };
  return { schedule: new ScheduledSet(source), retry: new RetrySet(source), dead: new DeadSet(source) };
}

/** kiq's answers to every question api.rb asks Ruby. */
async function kiqAnswers(version: SidekiqVersion, jids: string[], scan: string): Promise<ApiAnswers> {
  const source = { redis, sidekiqVersion: version };
  const stats = new Stats(source);
  const snapshot = await stats.fetch();
  const queues = await Queue.all(source);
  const jobSets = sets(version);
  const entry = (e: { value: string; score: number } | null): Entry | null => e && [e.value, e.score];
  const perSet = async <T>(f: (set: JobSet) => Promise<T>) =>
    Object.fromEntries(
      await Promise.all(SET_NAMES.map(async (name) => [name, await f(jobSets[name])])),
    ) as Record<SetName, T>;
  return {
    stats: {
      processed: snapshot.processed,
      failed: snapshot.failed,
      scheduled_size: snapshot.scheduledSize,
      retry_size: snapshot.retrySize,
      dead_size: snapshot.deadSize,
      processes_size: snapshot.processesSize,
      enqueued: snapshot.enqueued,
      workers_size: snapshot.workersSize,
      default_queue_latency: snapshot.defaultQueueLatency,
    },
    stats_queues: [...(await stats.queues())],
    history: await stats.history(HISTORY.days, HISTORY.start),
    queues: await Promise.all(
      queues.map(async (q) => ({
        name: q.name,
        size: await q.size(),
        latency: await q.latency(),
        jobs: (await collect(q)).map((job) => job.value),
      })),
    ),
    sets: await perSet(async (set) => ({
      size: await set.size(),
      entries: (await collect(set)).map((e) => [e.value, e.score] as Entry),
    })),
    found: Object.fromEntries(
      await Promise.all(
        jids.map(async (jid) => {
          const inQueues = Object.fromEntries(
            await Promise.all(queues.map(async (q) => [q.name, (await q.findJob(jid))?.value ?? null])),
          );
          return [jid, { queues: inQueues, ...(await perSet(async (set) => entry(await set.findJob(jid)))) }];
        }),
      ),
    ),
    scan: (await collect(jobSets.retry.scan(scan))).map((e) => [e.value, e.score]),
  };
}

/** Asks kiq, then Ruby, and expects the same answers (latencies within the time between the two). */
async function expectSameAnswers(version: SidekiqVersion, jids: string[], scan: string): Promise<ApiAnswers> {
  const kiq = await kiqAnswers(version, jids, scan);
  const ruby = await runRubyScript<ApiAnswers>(version, rubyFixture("api.rb"), {
    jids,
    history: HISTORY,
    scan,
  });
  const latencies = (a: ApiAnswers) => [a.stats.default_queue_latency, ...a.queues.map((q) => q.latency)];
  const rubyLatencies = latencies(ruby);
  latencies(kiq).forEach((latency, i) => {
    expect(rubyLatencies[i]).toBeGreaterThanOrEqual((latency as number) - 0.1);
    expect(rubyLatencies[i]).toBeLessThan((latency as number) + LATENCY_SLACK);
  });
  // api.rb also answers about processes, which this file has none of.
  const withoutLatencies = ({ history, sets, found, scan, ...a }: ApiAnswers) => ({
    history,
    sets,
    found,
    scan,
    stats: { ...a.stats, default_queue_latency: 0 },
    // Ruby sorts queues of equal size in no particular order.
    stats_queues: [...a.stats_queues].sort(([x], [y]) => (x < y ? -1 : 1)),
    queues: a.queues.map((q) => ({ ...q, latency: 0 })),
  });
  expect(withoutLatencies(kiq)).toEqual(withoutLatencies(ruby));
  const sizes = kiq.stats_queues.map(([, size]) => size);
  expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  return ruby;
}

type Four<T> = [T, T, T, T];
type Six<T> = [T, T, T, T, T, T];

/** Where the answers found a jid. */
function found(answers: ApiAnswers, jid: string): ApiAnswers["found"][string] {
  const where = answers.found[jid];
  if (!where) throw new Error(`no answer for ${jid}`);
  return where;
}

/** The payload with its enqueued_at field taken out, and that field's text. */
function splitEnqueuedAt(payload: string): { enqueuedAt: string | undefined; rest: string } {
  const match = /,"enqueued_at":([0-9.e+-]+)/.exec(payload);
  return { enqueuedAt: match?.[1], rest: match ? payload.replace(match[0], "") : payload };
}

describe.each(SIDEKIQ_VERSIONS)("kiq's API and Ruby Sidekiq %i's over the same Redis", (version) => {
  it("answer alike before and after kiq retries, kills, deletes, adds to queue and clears", async () => {
    const pushed = await runRubyScript<string[]>(version, rubyFixture("enqueue.rb"), [
      { class: "Echo", args: [{ $ruby: "1.0" }, { $ruby: "-0.0" }, { $ruby: "12345678901234567890" }] },
      { class: "Echo", args: ["second"] },
      { class: "Billing::Charge", args: [42, "usd"], queue: "billing" },
      { class: "Billing::Charge", args: [43, "usd"], queue: "billing" },
      { class: "Echo", args: [{ $ruby: "1.5" }], at: { $ruby: "Time.now.to_f + 3600" } },
      { class: "Echo", args: ["later"], at: { $ruby: "Time.now.to_f + 7200" } },
    ]);
    const failed = await runRubyScript<{ jid: string }[]>(version, rubyFixture("retry_entry.rb"), [
      {
        class: "Echo",
        args: [{ $ruby: "1.5" }, { $ruby: "-99999999999999999999" }, { $ruby: '{"a" => [1.0e+20, nil]}' }],
      },
      { class: "Billing::Charge", args: [7], retry_count: 3, failed_at: { $ruby: "Time.now.to_f - 60" } },
      { class: "Echo", args: ["dead on arrival"], retry: 0 },
      { class: "Echo", args: ["dead too"], retry: 0 },
    ]);
    await redis.mset({
      "stat:processed": "1234",
      "stat:failed": "56",
      "stat:processed:2026-01-03": "10",
      "stat:processed:2026-01-01": "7",
      "stat:failed:2026-01-02": "3",
      "stat:failed:2025-12-31": "99",
    });
    const [inQueue, , billing1, , scheduled, laterScheduled] = pushed as Six<string>;
    const [retried, killed, dead1, dead2] = failed.map((f) => f.jid) as Four<string>;
    const jids = [...pushed, ...failed.map((f) => f.jid)];

    const before = await expectSameAnswers(version, jids, "Billing");
    expect(before.sets.retry.size).toBe(2);
    expect(before.sets.dead.size).toBe(2);
    expect(before.scan).toHaveLength(1);
    expect(found(before, inQueue).queues.default).toContain("12345678901234567890");
    expect(found(before, scheduled).schedule?.[0]).toContain('"args":[1.5]');

    // kiq acts; every action goes by the entry kiq found.
    const jobSets = sets(version);
    const find = async (set: SetName, jid: string) => {
      const entry = await jobSets[set].findJob(jid);
      if (!entry) throw new Error(`${jid} not in ${set}`);
      return entry;
    };
    const retryEntry = await find("retry", retried);
    const killEntry = await find("retry", killed);
    const scheduledEntry = await find("schedule", scheduled);
    const actedAt = Date.now() / 1000;
    expect(await retryEntry.retry()).toBe(true);
    expect(await killEntry.kill()).toBe(true);
    expect(await scheduledEntry.addToQueue()).toBe(true);
    expect(await (await find("dead", dead1)).delete()).toBe(true);
    const billing = new Queue({ redis }, "billing");
    expect(await (await billing.findJob(billing1))?.delete()).toBe(true);

    const after = await expectSameAnswers(version, jids, "Billing");
    // Retried: Ruby reads it in its queue, retry_count one lower, enqueued_at just now in its unit.
    const requeued = found(after, retried).queues[FAILING_QUEUE] ?? "";
    const retryCount = (raw: string) => Number(/"retry_count":(-?\d+)/.exec(raw)?.[1]);
    expect(retryCount(requeued)).toBe(retryCount(retryEntry.value) - 1);
    expect(splitEnqueuedAt(requeued).rest).toBe(
      splitEnqueuedAt(retryEntry.value.replace(/"retry_count":\d+/, `"retry_count":${retryCount(requeued)}`))
        .rest,
    );
    const failingQueue = after.queues.find((q) => q.name === FAILING_QUEUE);
    expect(failingQueue?.latency).toBeGreaterThanOrEqual(0);
    expect(failingQueue?.latency).toBeLessThan(LATENCY_SLACK);
    // Killed: the stored string in the dead set, scored now.
    const [deadValue, deadScore] = found(after, killed).dead ?? ["", 0];
    expect(deadValue).toBe(killEntry.value);
    expect(deadScore).toBeGreaterThanOrEqual(actedAt - 0.1);
    // Added to queue: the scheduled bytes plus enqueued_at.
    expect(splitEnqueuedAt(found(after, scheduled).queues.default ?? "").rest).toBe(scheduledEntry.value);
    expect(found(after, dead1).dead).toBeNull();
    expect(found(after, dead2).dead).not.toBeNull();
    expect(after.queues.find((q) => q.name === "billing")?.size).toBe(1);
    expect(found(after, laterScheduled).schedule).not.toBeNull();

    await billing.clear();
    expect(await jobSets.dead.retryAll()).toBe(2);
    const cleared = await expectSameAnswers(version, jids, "Billing");
    expect(cleared.queues.map((q) => q.name)).not.toContain("billing");
    expect(cleared.sets.dead.size).toBe(0);
    expect(found(cleared, killed).queues[FAILING_QUEUE]).toContain(killed);
    expect(found(cleared, dead2).queues[FAILING_QUEUE]).toContain(dead2);
  });
});
