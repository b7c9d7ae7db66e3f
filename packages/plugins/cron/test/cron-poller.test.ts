import { Client } from "@kiq/core";
import { CronPoller, CronStore, enqueuedKey } from "@kiq/cron";
import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "../../../../test/support/paths.js";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { runRubyScript, startRubySidekiq } from "../../../../test/support/ruby.js";

const POLLERS = 4;
const TICKS = 150;
const TICK_MS = 5000;
const QUEUE = "cronticks";
const START = Date.parse("2026-11-22T20:00:00Z");
const RUBY_RUN_MS = 12_000;
const NODE_POLL_MS = 1500;
const TICK_DUE_AFTER_MS = 1000;
const POLL_SPREAD_MS = TICK_MS - 2 * TICK_DUE_AFTER_MS;

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});
afterAll(closeAll);

async function pollers(n: number): Promise<CronPoller[]> {
  const out: CronPoller[] = [];
  for (let i = 0; i < n; i++) {
    const conn = redis.duplicate();
    const client = new Client({ redis: conn, sidekiqVersion: 6 });
    out.push(new CronPoller(new CronStore(conn), (item) => client.push(item)));
  }
  return out;
}

const tickJob = {
  name: "ticks",
  cron: "*/5 * * * * *",
  klass: "Conformance::Tick",
  queue: QUEUE,
  args: ["tick"],
};

describe("the cron poller: one enqueue per tick", () => {
  it(`${POLLERS} Node pollers racing over ${TICKS} ticks enqueue exactly ${TICKS} jobs`, async () => {
    // fugit's previous tick is strictly before the whole second: tick T is due from T + 1 s on.
    await new CronStore(redis).save(tickJob, new Date(START + TICK_DUE_AFTER_MS));
    const all = await pollers(POLLERS);
    for (let k = 1; k <= TICKS; k++) {
      const tick = START + k * TICK_MS;
      // Each poller polls twice somewhere inside [T + 1 s, next T), all at once:
      // an enqueue in the next tick's own second would skip that tick (last_enqueue_time >= tick).
      await Promise.all(
        all.flatMap((p) => [
          p.poll(new Date(tick + TICK_DUE_AFTER_MS + Math.random() * POLL_SPREAD_MS)),
          p.poll(new Date(tick + TICK_DUE_AFTER_MS + Math.random() * POLL_SPREAD_MS)),
        ]),
      );
    }
    expect(await redis.llen(`queue:${QUEUE}`)).toBe(TICKS);
    const jobs = (await redis.lrange(`queue:${QUEUE}`, 0, -1)).map((s) => JSON.parse(s));
    expect(new Set(jobs.map((j) => j.jid)).size).toBe(TICKS);
    expect(jobs[0]).toMatchObject({ class: "Conformance::Tick", queue: QUEUE, args: ["tick"], retry: true });
    expect(await redis.llen("cron_job:ticks:jid_history")).toBe(10);
  });

  it("after downtime enqueues only the latest tick, and only within 60 s of it", async () => {
    const store = new CronStore(redis);
    await store.save({ ...tickJob, cron: "* * * * *" }, new Date(START));
    const [p] = await pollers(1);
    // Down for an hour: the poller wakes 20 s after a minute tick → one enqueue, no storm.
    expect(await p?.poll(new Date(START + 3_600_000 + 20_000))).toEqual(["ticks"]);
    expect(await p?.poll(new Date(START + 3_600_000 + 40_000))).toEqual([]);
    // Wakes 61 s after the tick of an hourly job: skipped, as sidekiq-cron skips it.
    await store.save({ ...tickJob, name: "hourly", cron: "0 * * * *" }, new Date(START));
    expect(await p?.poll(new Date(START + 2 * 3_600_000 + 61_000))).toEqual(["ticks"]);
    expect(await redis.llen(`queue:${QUEUE}`)).toBe(2);
  });

  it("a push that fails loses that tick only (claimed first, as Ruby does); the other jobs are enqueued and the error logged", async () => {
    const store = new CronStore(redis);
    await store.save({ ...tickJob, name: "a-broken", args: ["refused"] }, new Date(START));
    await store.save(tickJob, new Date(START));
    const client = new Client({ redis, sidekiqVersion: 6 });
    const errors: unknown[] = [];
    const poller = new CronPoller(
      store,
      async (item) => {
        if (item.args?.[0] === "refused") throw new Error("a middleware refused it");
        return client.push(item);
      },
      { logger: { error: (obj: unknown) => errors.push(obj) } },
    );
    expect(await poller.poll(new Date(START + 6_000))).toEqual(["ticks"]);
    expect(errors).toHaveLength(1);
    expect(await redis.zrange(enqueuedKey("a-broken"), 0, -1)).toContain("2026-11-22T20:00:05Z");
    expect(await poller.poll(new Date(START + 8_000))).toEqual([]); // same tick: claimed, not retried
    expect(await redis.llen(`queue:${QUEUE}`)).toBe(1);
  });

  it("rescheduleGracePeriod lets a daily job survive a deploy longer than 60 s, still firing once", async () => {
    const store = new CronStore(redis);
    await store.save({ ...tickJob, cron: "0 3 * * *" }, new Date(START));
    const [strict] = await pollers(1);
    const threeAm = Date.parse("2026-11-23T03:00:00Z");
    // Back 5 minutes after 03:00: the default 60 s grace skips the day's run...
    expect(await strict?.poll(new Date(threeAm + 300_000))).toEqual([]);
    // ...a 15-minute grace enqueues it, once, however many polls follow.
    const client = new Client({ redis, sidekiqVersion: 6 });
    const patient = new CronPoller(store, (item) => client.push(item), { rescheduleGracePeriod: 900 });
    expect(await patient.poll(new Date(threeAm + 300_000))).toEqual(["ticks"]);
    expect(await patient.poll(new Date(threeAm + 600_000))).toEqual([]);
    expect(await redis.llen(`queue:${QUEUE}`)).toBe(1);
    expect(() => new CronPoller(store, (item) => client.push(item), { rescheduleGracePeriod: -1 })).toThrow(
      /rescheduleGracePeriod must be 0 or more seconds/,
    );
  });

  it("a disabled job is not enqueued", async () => {
    const store = new CronStore(redis);
    await store.save({ ...tickJob, status: "disabled" }, new Date(START));
    const [p] = await pollers(1);
    expect(await p?.poll(new Date(START + 6_000))).toEqual([]);
  });

  it("Ruby sidekiq-cron 1.8.0 and Node pollers on one Redis: each tick of a Ruby-defined and a Node-defined job enqueued once", async () => {
    await runRubyScript(6, rubyFixture("cron.rb"), {
      save: [
        {
          name: "ruby-defined",
          cron: "* * * * * *",
          class: "Conformance::Tick",
          queue: QUEUE,
          args: ["ruby"],
        },
      ],
    });
    await new CronStore(redis).save({
      ...tickJob,
      name: "node-defined",
      cron: "* * * * * *",
      args: ["node"],
    });
    const server = startRubySidekiq(6, { requireFile: rubyFixture("cron_server.rb"), queues: ["unused"] });
    const all = await pollers(2);
    const nodeEnqueued: string[] = [];
    const until = Date.now() + RUBY_RUN_MS;
    try {
      while (Date.now() < until) {
        for (const names of await Promise.all(all.map((p) => p.poll()))) nodeEnqueued.push(...names);
        await new Promise((r) => setTimeout(r, NODE_POLL_MS * Math.random()));
      }
      server.assertAlive();
    } finally {
      await server.stop();
    }
    const jobs = (await redis.lrange(`queue:${QUEUE}`, 0, -1)).map((s) => JSON.parse(s));
    for (const [name, arg] of [
      ["ruby-defined", "ruby"],
      ["node-defined", "node"],
    ] as const) {
      // Every member of :enqueued but the save-time one is a claimed tick; each claimed tick is one job.
      const claimed = (await redis.zcard(enqueuedKey(name))) - 1;
      const pushed = jobs.filter((j) => j.args[0] === arg).length;
      expect(pushed, `${name}: jobs vs claimed ticks`).toBe(claimed);
      expect(claimed, `${name}: ticks claimed in ${RUBY_RUN_MS} ms`).toBeGreaterThan(5);
    }
    // Both sides won some ticks: Node's poller names what it enqueued; Ruby enqueued the rest.
    expect(nodeEnqueued.length).toBeGreaterThan(0);
    expect(nodeEnqueued.length, server.output()).toBeLessThan(jobs.length);
  }, 40_000);
});
