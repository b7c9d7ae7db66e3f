// The orphan reaper: a digest whose job is in no queue, schedule or retry set and running on no live
// process is removed (older than reaper_timeout + 10 s only); expired until_expired digests go too.
// The same Redis state reaped by sidekiq-unique-jobs 8.1.0's own reaper leaves the same digests.

import { defineJob, Kiq } from "@kiq/core";
import type { Redis } from "ioredis";
import pino from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { runRubyScript } from "../../../../test/support/ruby.js";
import { REAPER_KEY, reap, reaperKeyTtl, uniqueJobs } from "../src/index.js";
import { stopWorkers, track } from "./support/workers.js";

const SIDEKIQ_VERSION = 8;
const SETTINGS = { reaperCount: 1000, reaperTimeout: 10 };
const HOUR_S = 3600;
const D = (name: string) => `uniquejobs:${name.padEnd(12, "0")}`;
const KEPT = ["queued", "scheduled", "retried", "running", "recent"].map(D);

function job(digest: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    class: "UJ",
    queue: "u",
    args: [1],
    jid: "a".repeat(24),
    lock_digest: digest,
    ...extra,
  });
}

/** Locks of jobs that are queued, scheduled, retried, running, gone, or too recent to judge. */
async function seed(redis: Redis): Promise<void> {
  const now = Date.now() / 1000;
  const old = now - HOUR_S;
  for (const name of ["queued", "scheduled", "retried", "running", "orphan", "deadproc"]) {
    await redis.zadd("uniquejobs:digests", old, D(name));
    await redis.set(D(name), "a".repeat(24));
    await redis.hset(`${D(name)}:LOCKED`, "a".repeat(24), old);
  }
  await redis.zadd("uniquejobs:digests", now, D("recent"));
  await redis.zadd("uniquejobs:expiring_digests", old, D("expired"));
  await redis.hset(`${D("expired")}:LOCKED`, "b".repeat(24), old);
  await redis.sadd("queues", "u");
  await redis.lpush("queue:u", job(D("queued")));
  await redis.zadd("schedule", now + 60, job(D("scheduled")));
  await redis.zadd("retry", now + 60, job(D("retried")));
  const running = (digest: string) =>
    JSON.stringify({ queue: "u", payload: job(digest, { created_at: old }), run_at: old });
  await redis.sadd("processes", "live:1:abc", "gone:2:def");
  await redis.hset("live:1:abc", "info", "{}");
  // A running while_executing job carries the :RUN digest; the reaper matches it without the suffix.
  await redis.hset("live:1:abc:work", "t1", running(`${D("running")}:RUN`));
  await redis.hset("gone:2:def:work", "t1", running(D("deadproc")));
}

async function left(redis: Redis): Promise<string[]> {
  return (await redis.zrange("uniquejobs:digests", 0, -1)).sort();
}

afterEach(stopWorkers);
afterAll(closeAll);

describe("reap", () => {
  it("removes orphans and expired digests with their keys, and leaves what Ruby's reaper leaves (Sidekiq 7 and 8)", async () => {
    const redis = await freshRedis();
    await seed(redis);
    const result = await reap(redis, SETTINGS);
    expect(result.orphans.sort()).toEqual([D("deadproc"), D("orphan")]);
    expect(result.expired).toEqual([D("expired")]);
    expect(await left(redis)).toEqual([...KEPT].sort());
    expect(await redis.zcard("uniquejobs:expiring_digests")).toBe(0);
    for (const name of ["orphan", "deadproc", "expired"]) {
      expect(await redis.exists(D(name), `${D(name)}:LOCKED`)).toBe(0);
    }
    expect(await redis.exists(`${D("queued")}:LOCKED`)).toBe(1);

    for (const version of [7, 8] as const) {
      await freshRedis();
      await seed(redis);
      const ruby = await runRubyScript<{ digests: string[]; expiring: string[] }>(
        version,
        "fixtures/ruby/unique_reap.rb",
        {},
        { env: { UNIQUE_JOBS: "1" } },
      );
      // One difference, on purpose: the gem (on redis-client, Sidekiq 7/8) reads EXISTS' 0 as true,
      // so a job of a process whose heartbeat key is gone still protects its digest there.
      expect(ruby.digests.sort(), `Sidekiq ${version}`).toEqual([...KEPT, D("deadproc")].sort());
      expect(ruby.expiring).toEqual([]);
    }
  });

  it("removes at most reaper_count orphans per run, as Ruby's", async () => {
    const redis = await freshRedis();
    await seed(redis);
    const result = await reap(redis, { ...SETTINGS, reaperCount: 1 });
    expect(result.orphans).toHaveLength(1);
    await freshRedis();
    await seed(redis);
    const ruby = await runRubyScript<{ digests: string[] }>(
      SIDEKIQ_VERSION,
      "fixtures/ruby/unique_reap.rb",
      { reaper_count: 1 },
      { env: { UNIQUE_JOBS: "1" } },
    );
    expect(ruby.digests).toHaveLength(KEPT.length + 1); // one orphan gone; deadproc is kept there (see above)
  });

  it("a running job created recently keeps every digest (the gem's rule)", async () => {
    const redis = await freshRedis();
    await seed(redis);
    await redis.hset(
      "live:1:abc:work",
      "t2",
      JSON.stringify({
        queue: "u",
        payload: job(D("other"), { created_at: Date.now() }),
        run_at: Date.now(),
      }),
    );
    expect((await reap(redis, SETTINGS)).orphans).toEqual([]);
  });

  it("skips the run while the queues hold more than 1000 jobs", async () => {
    const redis = await freshRedis();
    await seed(redis);
    await redis.lpush("queue:u", ...Array.from({ length: 1000 }, () => "{}"));
    expect(await reap(redis, SETTINGS)).toEqual({ ran: false, expired: [], orphans: [] });
    expect(await redis.zcard("uniquejobs:digests")).toBe(KEPT.length + 2);
  });
});

describe("the reaper on a worker", () => {
  function worker(options: Parameters<typeof uniqueJobs>[0]): Kiq {
    const kiq = new Kiq({
      url: testRedisUrl(),
      queues: ["none"],
      logger: pino({ level: "silent" }),
      jobs: [defineJob("UJ", () => {})],
    });
    kiq.use(uniqueJobs(options));
    return track(kiq);
  }

  it("registers under uniquejobs:reaper, reaps at startup, and unregisters at stop", async () => {
    const redis = await freshRedis();
    await seed(redis);
    const kiq = worker({ reaperInterval: 60 });
    await kiq.start();
    await expect.poll(() => left(redis)).toEqual([...KEPT].sort());
    expect(Number(await redis.get(REAPER_KEY))).toBeGreaterThan(Date.now() / 1000 - 5);
    // interval + 2 %, truncated: 61 s when set (a busy machine may have spent a second since)
    expect(await redis.ttl(REAPER_KEY)).toBeGreaterThanOrEqual(59);
    expect(await redis.ttl(REAPER_KEY)).toBeLessThanOrEqual(61);
    await kiq.stop();
    expect(await redis.exists(REAPER_KEY)).toBe(0);
    expect(reaperKeyTtl(600)).toBe(612); // the gem's default interval and expiry
  });

  it("leaves reaping to the process registered before it (Ruby's or another kiq's); reaper: false turns it off", async () => {
    const redis = await freshRedis();
    await seed(redis);
    await redis.set(REAPER_KEY, String(Math.trunc(Date.now() / 1000)), "EX", 612);
    await worker({}).start();
    await worker({ reaper: false }).start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await redis.zcard("uniquejobs:digests")).toBe(KEPT.length + 2);
    await stopWorkers();
    expect(await redis.exists(REAPER_KEY)).toBe(1);
  });
});
