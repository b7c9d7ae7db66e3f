// Limits on real workers and Redis: a job over its limit is rescheduled with its jid and every byte
// it does not own; a concurrency limit holds across two workers with nothing lost or failed; a job
// rescheduled too often fails through its retries; bad options are named.

import { defineJob, Kiq } from "@kiq/core";
import { currentTenant, tenant } from "@kiq/tenant";
import { pino } from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { eventually } from "../../../core/test/worker-helpers.js";
import { type LimitsOptions, limits } from "../src/index.js";

const workers: Kiq[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((kiq) => kiq.stop()));
});
afterAll(closeAll);

async function startWorker(
  options: LimitsOptions,
  handler: (jid: string) => unknown = () => {},
  withTenants = false,
): Promise<Kiq> {
  const kiq = new Kiq({
    url: testRedisUrl(),
    queues: ["l"],
    concurrency: 5,
    timeout: 1,
    pollIntervalAverage: 0.05,
    logger: pino({ level: "silent" }),
    jobs: [
      defineJob("Limited", function (this: { jid: string }) {
        return handler(this.jid);
      }),
    ],
  });
  if (withTenants) kiq.use(tenant()); // first, so the limit's key function sees currentTenant()
  kiq.use(limits(options));
  workers.push(kiq);
  await kiq.start();
  return kiq;
}

// Bytes a re-encoding would change: 1.0, a big integer, escapes, an unknown key; an earlier count.
const stored = (jid: string, overrated = "") =>
  `{"retry":true,"queue":"l","class":"Limited","args":[1.0,12345678901234567890,"\\u00e9\\/"],"jid":"${jid}"${overrated},"x-app":{"a":[]},"created_at":1795378342.5,"enqueued_at":1795378342.5}`;
const JID_1 = "aaaaaaaaaaaaaaaaaaaaaaa1";
const JID_2 = "aaaaaaaaaaaaaaaaaaaaaaa2";
const SLOW = { name: "slow", rate: { limit: 1, period: 60 } };

describe("limits", () => {
  it("reschedules a job over its rate with its jid and every byte it does not own", async () => {
    const redis = await freshRedis();
    const ran: string[] = [];
    await redis.lpush(
      "queue:l",
      stored(JID_1),
      stored(JID_2),
      stored("aaaaaaaaaaaaaaaaaaaaaaa3", ',"overrated":3'),
    );
    await startWorker({ limits: [SLOW] }, (jid) => void ran.push(jid));
    await eventually(async () => (await redis.zcard("schedule")) === 2);
    const now = Date.now() / 1000;
    const entries = await redis.zrange("schedule", 0, -1, "WITHSCORES");
    expect(ran).toEqual([JID_1]);
    // The first waits one token (60 s), the second two: waiting jobs are spaced 1/rate apart.
    expect(entries[0]).toBe(stored(JID_2).replace(/}$/, ',"overrated":1}'));
    expect(Number(entries[1]) - now).toBeGreaterThan(55);
    expect(Number(entries[1]) - now).toBeLessThan(61);
    expect(entries[2]).toBe(stored("aaaaaaaaaaaaaaaaaaaaaaa3", ',"overrated":4'));
    expect(Number(entries[3]) - now).toBeGreaterThan(115);
    expect(await redis.zcard("retry")).toBe(0);
  });

  it("holds a concurrency limit across two workers; every job runs once, none fails", async () => {
    const redis = await freshRedis();
    let running = 0;
    let maxRunning = 0;
    const ran: string[] = [];
    const handler = async (jid: string) => {
      maxRunning = Math.max(maxRunning, ++running);
      await new Promise((resolve) => setTimeout(resolve, 150));
      running--;
      ran.push(jid);
    };
    const options = {
      limits: [{ name: "pool", key: () => "db", concurrency: { limit: 2 } }],
      backoff: () => 0.1,
    };
    await startWorker(options, handler);
    await startWorker(options, handler);
    const jids = Array.from({ length: 8 }, (_, i) => `bbbbbbbbbbbbbbbbbbbbbbb${i}`);
    await redis.lpush("queue:l", ...jids.map((jid) => stored(jid)));
    await eventually(() => ran.length === jids.length, 10_000);
    expect(maxRunning).toBe(2);
    expect(ran.sort()).toEqual(jids);
    expect(await redis.zcard("retry")).toBe(0);
    expect(await redis.zcard("kiq-limits:pool:db:running")).toBe(0);
  });

  it("limits each tenant on its own, keyed by @kiq/tenant's currentTenant()", async () => {
    const redis = await freshRedis();
    const running = new Map<string, number>();
    const most = new Map<string, number>();
    let ran = 0;
    const handler = async () => {
      const id = String(currentTenant());
      running.set(id, (running.get(id) ?? 0) + 1);
      most.set(id, Math.max(most.get(id) ?? 0, running.get(id) ?? 0));
      await new Promise((resolve) => setTimeout(resolve, 100));
      running.set(id, (running.get(id) ?? 0) - 1);
      ran++;
    };
    const perTenant = {
      limits: [{ name: "per-tenant", key: () => currentTenant(), concurrency: { limit: 1 } }],
      backoff: () => 0.1,
    };
    await startWorker(perTenant, handler, true);
    const jobs = ["A", "B", "A", "B", "A", "B"].map((id, i) =>
      stored(`ccccccccccccccccccccccc${i}`).replace('"x-app"', `"apartment":"${id}","x-app"`),
    );
    await redis.lpush("queue:l", ...jobs);
    await eventually(() => ran === jobs.length, 10_000);
    expect(Object.fromEntries(most)).toEqual({ A: 1, B: 1 });
    expect(await redis.zcard("retry")).toBe(0);
  });

  it("leaves jobs whose key is undefined alone; fails a job rescheduled more than maxReschedules times", async () => {
    const redis = await freshRedis();
    const ran: string[] = [];
    const rule = { ...SLOW, key: (job: { args: unknown[] }) => (job.args[0] === 1 ? "one" : undefined) };
    const [seconds] = await redis.time();
    await redis.hset("kiq-limits:slow:one:bucket", "tokens", 0, "at", Number(seconds) * 1000); // no token left
    await redis.lpush("queue:l", stored(JID_1, ',"overrated":2'), stored(JID_2).replace("[1.0", "[2.0"));
    await startWorker({ limits: [rule], maxReschedules: 2 }, (jid) => void ran.push(jid));
    await eventually(async () => (await redis.zcard("retry")) === 1 && ran.length === 1, 10_000);
    expect(ran).toEqual([JID_2]);
    const [retried] = await redis.zrange("retry", 0, -1);
    expect(JSON.parse(retried as string)).toMatchObject({
      jid: JID_1,
      overrated: 2,
      error_class: "OverLimitError",
    });
  });

  it("names what is wrong with its options", () => {
    expect(() => limits({ limits: [{ name: "a b", rate: { limit: 1 } }] })).toThrow(
      'use letters, digits, "-" and "_"',
    );
    expect(() => limits({ limits: [{ name: "a" }] })).toThrow("give a rate, a concurrency, or both");
    expect(() => limits({ limits: [{ name: "a", rate: { limit: 0 } }] })).toThrow(
      "rate.limit must be a positive number",
    );
    expect(() => limits({ limits: [{ name: "a", concurrency: { limit: 1.5 } }] })).toThrow("integer ≥ 1");
    expect(() => limits({ limits: [SLOW, SLOW] })).toThrow("two limits have the same name");
  });
});
