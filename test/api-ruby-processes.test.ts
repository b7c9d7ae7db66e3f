// kiq's ProcessSet and Workers over a mixed fleet of real Ruby Sidekiq 6, 7 and 8 servers sharing
// one Redis: kiq lists every process and running job as each process' own Sidekiq version lists it
// (6.4.1's WorkSet reads only `:workers`, 7/8's only `:work`; 8.1.7 takes concurrency only from the
// hash field), a Ruby worker runs the job kiq retried with the args Ruby wrote, and kiq's stop()
// shuts each Ruby server down.

import { ProcessSet, RetrySet, type SidekiqVersion, Workers } from "@kiq/core";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "./support/paths.js";
import { waitForReceived } from "./support/received.js";
import { closeAll, freshRedis } from "./support/redis.js";
import { type RubySidekiqServer, runRubyScript, SIDEKIQ_VERSIONS, startRubySidekiq } from "./support/ruby.js";

/** Long enough to still run when the comparison is made, cut short by the stop (-t 3). */
const SLOW_SECONDS = 30;
/** A 7.x/8.x server writes its running jobs at its second beat, 10 s after it starts. */
const WORK_VISIBLE_MS = 20_000;
/** The next beat pops the TERM (≤ 10 s), then the shutdown waits out `-t`. */
const STOPPED_MS = 25_000;
const POLL_MS = 200;

let redis: Redis;
const servers: RubySidekiqServer[] = [];
beforeEach(async () => {
  redis = await freshRedis();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(closeAll);

interface ProcessAnswer {
  identity: string;
  hostname: string;
  pid: number;
  tag: string | null;
  labels: string[];
  queues: string[];
  concurrency: number;
  busy: number;
  beat: number;
  stopping: boolean;
  rss: number;
  version: string | null;
  embedded: boolean | null;
  started_at: number;
}
interface WorkAnswer {
  process: string;
  thread: string;
  queue: string;
  run_at: number;
  payload: string;
}
/** What fixtures/ruby/api.rb answers about processes (and kiqAnswers the same way). */
interface FleetAnswers {
  processes: ProcessAnswer[];
  process_set_size: number;
  total_concurrency: number;
  total_rss: number;
  workers: WorkAnswer[];
  workers_size: number;
}

async function kiqAnswers(): Promise<FleetAnswers> {
  const processes = new ProcessSet({ redis });
  const workers = new Workers({ redis });
  return {
    processes: (await processes.list()).map((p) => ({
      identity: p.identity,
      hostname: p.hostname,
      pid: p.pid,
      tag: p.tag ?? null,
      labels: p.labels,
      queues: p.queues,
      concurrency: p.concurrency,
      busy: p.busy,
      beat: p.beat,
      stopping: p.stopping,
      rss: p.rss,
      version: p.version ?? null,
      embedded: p.embedded,
      started_at: p.startedAt,
    })),
    process_set_size: await processes.size(),
    total_concurrency: await processes.totalConcurrency(),
    total_rss: await processes.totalRss(),
    workers: (await workers.list()).map((w) => ({
      process: w.identity,
      thread: w.tid,
      queue: w.queue,
      run_at: w.runAt.getTime() / 1000,
      payload: w.payload,
    })),
    workers_size: await workers.size(),
  };
}

/** kiq's answers, and Ruby's in between two identical kiq readings (no beat came in between). */
async function steadyAnswers(): Promise<{ kiq: FleetAnswers; ruby: Map<SidekiqVersion, FleetAnswers> }> {
  for (let attempt = 1; ; attempt++) {
    const kiq = await kiqAnswers();
    const answers = await Promise.all(
      SIDEKIQ_VERSIONS.map((v) => runRubyScript<FleetAnswers>(v, rubyFixture("api.rb"))),
    );
    const again = await kiqAnswers();
    if (JSON.stringify(again) === JSON.stringify(kiq) || attempt === 3) {
      expect(again).toEqual(kiq);
      return { kiq, ruby: new Map(SIDEKIQ_VERSIONS.map((v, i) => [v, answers[i] as FleetAnswers])) };
    }
  }
}

/** Polls `check` until it answers; fails early if a Ruby server died (unless they are meant to stop). */
async function until<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  { serversStopping = false } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (!serversStopping) for (const server of servers) server.assertAlive();
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const byRunAt = (works: WorkAnswer[]) =>
  [...works].sort((a, b) => a.run_at - b.run_at || (a.process < b.process ? -1 : 1));

describe("kiq's ProcessSet and Workers over a fleet of Ruby Sidekiq 6, 7 and 8", () => {
  it("answer as each process' own Ruby does; kiq's retry runs in Ruby, kiq's stop() stops Ruby", async () => {
    await Promise.all(
      SIDEKIQ_VERSIONS.map((v) =>
        runRubyScript(v, rubyFixture("enqueue.rb"), [
          { class: "Slow", args: [SLOW_SECONDS], queue: `api-busy-${v}` },
        ]),
      ),
    );
    // One at a time: retry_entry.rb takes its job back from a queue the three would share.
    const retriedJids = new Map<string, SidekiqVersion>();
    for (const v of SIDEKIQ_VERSIONS) {
      const [entry] = await runRubyScript<{ jid: string }[]>(v, rubyFixture("retry_entry.rb"), [
        {
          class: "Echo",
          args: [
            { $ruby: "1.0" },
            { $ruby: "-0.0" },
            { $ruby: "2**64" },
            { $ruby: '{"a" => [1.0e+20, nil]}' },
          ],
          retry_queue: `api-retried-${v}`,
        },
      ]);
      const retry = await new RetrySet({ redis, sidekiqVersion: v }).findJob(entry?.jid as string);
      expect(await retry?.retry()).toBe(true);
      retriedJids.set(entry?.jid as string, v);
    }

    for (const v of SIDEKIQ_VERSIONS) {
      servers.push(
        startRubySidekiq(v, {
          requireFile: rubyFixture("jobs.rb"),
          queues: [`api-busy-${v}`, `api-retried-${v}`],
          concurrency: 2,
          shutdownTimeout: 3,
        }),
      );
    }

    // Each version's server ran the job kiq retried for it, with the values Ruby wrote.
    const received = await waitForReceived(redis, SIDEKIQ_VERSIONS.length, { timeoutMs: WORK_VISIBLE_MS });
    for (const job of received) {
      const version = retriedJids.get(job.jid);
      expect(job.sidekiq_version.startsWith(`${version}.`)).toBe(true);
      expect(job.args_inspect).toBe('[1.0, -0.0, 18446744073709551616, {"a"=>[1.0e+20, nil]}]');
    }

    await until("three running Slow jobs", WORK_VISIBLE_MS, async () => {
      const works = await new Workers({ redis }).list();
      return works.filter((w) => w.job.className === "Slow").length === 3 ? works : undefined;
    });
    const { kiq, ruby } = await steadyAnswers();
    expect(kiq.processes).toHaveLength(3);
    const versionOf = (p: ProcessAnswer): SidekiqVersion =>
      p.version === null ? 6 : (Number(p.version[0]) as 7 | 8);
    for (const [rubyVersion, answers] of ruby) {
      // 8.1.2+ moved concurrency from info to a hash field, and each Ruby reads one place only:
      // 8.1.7 the field (0 for a 6.x/7.x process), 6.x/7.x info (nil for an 8.1.7 process).
      const concurrencyAsRubySees = (p: ProcessAnswer) => {
        if ((rubyVersion === 8) === (versionOf(p) === 8)) return p.concurrency;
        return rubyVersion === 8 ? 0 : null;
      };
      const asRubySees = kiq.processes.map((p) => ({ ...p, concurrency: concurrencyAsRubySees(p) }));
      const rubyProcesses = answers.processes.map((p) => ({ ...p, embedded: p.embedded === true }));
      expect(rubyProcesses, `Ruby ${rubyVersion}`).toEqual(asRubySees);
      expect(answers.total_concurrency).toBe(asRubySees.reduce((sum, p) => sum + (p.concurrency ?? 0), 0));
      expect(answers.total_rss).toBe(kiq.total_rss);
      expect(answers.process_set_size).toBe(kiq.process_set_size);
      expect(answers.workers_size).toBe(kiq.workers_size);
      // 6.4.1 reads `<id>:workers`, which only 6.4.1 writes; 7.x/8.x read `<id>:work`.
      const visible = new Set(
        kiq.processes.filter((p) => (versionOf(p) === 6) === (rubyVersion === 6)).map((p) => p.identity),
      );
      expect(byRunAt(answers.workers), `Ruby ${rubyVersion}`).toEqual(
        byRunAt(kiq.workers.filter((w) => visible.has(w.process))),
      );
    }
    expect(kiq.total_concurrency).toBe(2 * SIDEKIQ_VERSIONS.length);
    expect(kiq.workers.filter((w) => w.queue.startsWith("api-busy-"))).toHaveLength(3);

    const processes = await new ProcessSet({ redis }).list();
    for (const process of processes) await process.stop();
    for (const process of processes) {
      expect(await redis.lrange(`${process.identity}-signals`, 0, -1)).toEqual(["TERM"]);
    }
    await until(
      "every Ruby server stopped",
      STOPPED_MS,
      async () =>
        servers.every((s) => s.child.exitCode !== null || s.child.signalCode !== null) ? true : undefined,
      { serversStopping: true },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${servers.map((s) => s.output()).join("\n---\n")}`);
    });
    expect(await new ProcessSet({ redis }).list({ cleanup: false })).toEqual([]);
  }, 60_000);
});
