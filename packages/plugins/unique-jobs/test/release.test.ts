// A unique job's locks when it leaves without finishing: deleted through kiq's API (a Client as the
// API's source), dead on a kiq worker, or recovered from a dead process (host.releaseJob
// "recovered", then the same payload pushed back). Ruby's API delete releases a Node lock too.

import {
  Client,
  DeadSet,
  defineJob,
  definePlugin,
  type Plugin,
  type PluginHost,
  type PushItem,
  Queue,
  RetrySet,
  ScheduledSet,
} from "@kiq/core";
import type { Redis } from "ioredis";
import pino from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { runRubyScript } from "../../../../test/support/ruby.js";
import { lock, runDigest, uniqueJobs } from "../src/index.js";
import { eventually, startWorker, stopWorkers } from "./support/workers.js";

const SIDEKIQ_VERSION = 8;
const LONG_TTL_S = 60;
/** "At once": far below the 60 s lock_ttl, with room for a busy machine. */
const AT_ONCE_MS = 3000;
const JOB = { class: "UJ", queue: "u", args: [1], lock: "until_executed" };

function uniqueClient(redis: Redis): Client {
  return new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION, logger: pino({ level: "silent" }) }).use(
    uniqueJobs(),
  );
}

async function lockCount(redis: Redis): Promise<number> {
  return (await redis.keys("uniquejobs:*:LOCKED")).length;
}

afterEach(stopWorkers);
afterAll(closeAll);

describe("deleted through kiq's API", () => {
  it("JobRecord.delete releases the lock: the same job can be pushed again", async () => {
    const redis = await freshRedis();
    const client = uniqueClient(redis);
    await client.push({ ...JOB });
    expect(await client.push({ ...JOB })).toBeNull();
    for await (const job of new Queue(client, "u")) expect(await job.delete()).toBe(true);
    expect(await lockCount(redis)).toBe(0);
    expect(await redis.zcard("uniquejobs:digests")).toBe(0);
    expect(await client.push({ ...JOB })).toBeTypeOf("string");
  });

  it("Queue.clear, ScheduledSet entry delete and JobSet.clear release every job's lock", async () => {
    const redis = await freshRedis();
    const client = uniqueClient(redis);
    await client.push({ ...JOB, args: [1] });
    await client.push({ ...JOB, args: [2] });
    await new Queue(client, "u").clear();
    expect(await lockCount(redis)).toBe(0);

    await client.push({ ...JOB, args: [3], in: 60 });
    await client.push({ ...JOB, args: [4], in: 60 });
    const scheduled = new ScheduledSet(client);
    const entry = await (await scheduled[Symbol.asyncIterator]().next()).value;
    expect(await entry.delete()).toBe(true);
    expect(await lockCount(redis)).toBe(1);
    await scheduled.clear();
    expect(await lockCount(redis)).toBe(0);
  });

  it("kill from the retry set releases it as dead", async () => {
    const redis = await freshRedis();
    const client = uniqueClient(redis);
    const jid = await client.push({ ...JOB, in: 60 });
    // Move it to the retry set as a failed run would leave it (same string, lock kept).
    const [stored] = await redis.zrange("schedule", 0, -1);
    await redis.multi().zrem("schedule", String(stored)).zadd("retry", 1, String(stored)).exec();
    const entry = await new RetrySet(client).findJob(String(jid));
    expect(await entry?.kill()).toBe(true);
    expect(await new DeadSet(client).size()).toBe(1);
    expect(await lockCount(redis)).toBe(0);
  });

  it("only the deleted job's hold goes: deleting a stale copy leaves the holder's lock", async () => {
    const redis = await freshRedis();
    const client = uniqueClient(redis);
    const holder = await client.push({ ...JOB });
    const copy = String(await redis.lindex("queue:u", 0)).replace(String(holder), "0123456789abcdef01234567");
    await redis.lpush("queue:u", copy);
    const job = await new Queue(client, "u").findJob("0123456789abcdef01234567");
    expect(await job?.delete()).toBe(true);
    expect(await lockCount(redis)).toBe(1);
    expect(await client.push({ ...JOB })).toBeNull();
  });

  it("an API object built from { redis } announces nothing (no extra reads): the lock stays for the reaper", async () => {
    const redis = await freshRedis();
    const client = uniqueClient(redis);
    await client.push({ ...JOB });
    await new Queue({ redis, sidekiqVersion: SIDEKIQ_VERSION }, "u").clear();
    expect(await lockCount(redis)).toBe(1);
  });

  it("Ruby's API delete (the gem's hook) releases a lock Node took", async () => {
    const redis = await freshRedis();
    await uniqueClient(redis).push({ ...JOB });
    await runRubyScript(
      SIDEKIQ_VERSION,
      "fixtures/ruby/unique_push.rb",
      { delete_queue: "u" },
      { env: { UNIQUE_JOBS: "1" } },
    );
    expect(await redis.llen("queue:u")).toBe(0);
    expect(await lockCount(redis)).toBe(0);
  });
});

describe("dead on a kiq worker", () => {
  it("an until_executed job keeps its lock while it retries and releases it when it dies", async () => {
    const redis = await freshRedis();
    await startWorker([defineJob("Dies", () => Promise.reject(new Error("boom")))]);
    const client = uniqueClient(redis);
    await client.push({ class: "Dies", queue: "u", args: [1], lock: "until_executed", retry: 0 });
    await eventually(async () => (await redis.zcard("dead")) === 1);
    await eventually(async () => (await lockCount(redis)) === 0);
    expect(await redis.zcard("uniquejobs:digests")).toBe(0);
  });

  it("retry: false releases too (death handlers run for it)", async () => {
    const redis = await freshRedis();
    await startWorker([defineJob("Dies", () => Promise.reject(new Error("boom")))]);
    const client = uniqueClient(redis);
    await client.push({ class: "Dies", queue: "u", args: [2], lock: "until_executed", retry: false });
    await eventually(
      async () => (await lockCount(redis)) === 0 && (await redis.zcard("uniquejobs:digests")) === 0,
    );
  });
});

describe("recovered from a dead process", () => {
  /** What a recovering plugin does: announce the job "recovered", then push the same string back. */
  function recoverer(): {
    plugin: Plugin;
    recover: (payload: string) => Promise<void>;
  } {
    let host: PluginHost | undefined;
    const plugin = definePlugin("test-recoverer", (given) => {
      host = given;
    });
    const recover = async (payload: string) => {
      if (!host) throw new Error("recoverer not installed");
      await host.releaseJob(payload, "recovered");
      await host.redis.lpush(`queue:${JSON.parse(payload).queue}`, payload);
    };
    return { plugin, recover };
  }

  /** Pushes a job and takes it out of its queue, as a worker that then died would have. */
  async function inFlight(redis: Redis, job: PushItem): Promise<{ jid: string; payload: string }> {
    const jid = String(await uniqueClient(redis).push(job));
    const payload = String(await redis.rpop(`queue:${String(job.queue)}`));
    return { jid, payload };
  }

  it("until_executed with a long lock_ttl runs again at once, holding its lock until it succeeds", async () => {
    const redis = await freshRedis();
    const { jid, payload } = await inFlight(redis, { ...JOB, lock_ttl: LONG_TTL_S });
    const ranAt: number[] = [];
    const { plugin, recover } = recoverer();
    await startWorker([defineJob("UJ", () => void ranAt.push(Date.now()))], (kiq) => kiq.use(plugin));
    const client = uniqueClient(redis);
    const recoveredAt = Date.now();
    await recover(payload);
    expect(await client.push({ ...JOB, lock_ttl: LONG_TTL_S })).toBeNull(); // still protected while queued
    await eventually(() => ranAt.length === 1);
    expect(Number(ranAt[0]) - recoveredAt).toBeLessThan(AT_ONCE_MS);
    await eventually(async () => (await lockCount(redis)) === 0);
    expect(jid).toBe(JSON.parse(payload).jid);
  });

  it("while_executing: the dead run's D:RUN is released, and the recovered job runs at once", async () => {
    const redis = await freshRedis();
    const job = { class: "WE", queue: "u", args: [1], lock: "while_executing" };
    const { jid, payload } = await inFlight(redis, job);
    const digest = String(JSON.parse(payload).lock_digest);
    // The dead run held the runtime lock.
    expect(
      await lock(redis, { digest: runDigest(digest), jid, type: "while_executing", ttl: null, limit: 1 }),
    ).toBe(true);
    const ranAt: number[] = [];
    const { plugin, recover } = recoverer();
    await startWorker([defineJob("WE", () => void ranAt.push(Date.now()))], (kiq) => kiq.use(plugin));
    // Recovered onto a queue the worker does not read, to look at the locks before it runs.
    await recover(payload.replace('"queue":"u"', '"queue":"parked"'));
    expect(await redis.exists(`${runDigest(digest)}:LOCKED`)).toBe(0);
    expect(await redis.zscore("uniquejobs:digests", runDigest(digest))).toBeNull();
    const recoveredAt = Date.now();
    await redis.rename("queue:parked", "queue:u");
    await eventually(() => ranAt.length === 1);
    expect(Number(ranAt[0]) - recoveredAt).toBeLessThan(AT_ONCE_MS);
  });

  it("until_and_while_executing: D:RUN released, D re-taken for the same jid so duplicates stay out while it is queued", async () => {
    const redis = await freshRedis();
    const job = { class: "UW", queue: "u", args: [1], lock: "until_and_while_executing" };
    const { jid, payload } = await inFlight(redis, job);
    const digest = String(JSON.parse(payload).lock_digest);
    // The dead run had released D and held D:RUN.
    await redis.del(digest, `${digest}:LOCKED`);
    await redis.zrem("uniquejobs:digests", digest);
    await lock(redis, { digest: runDigest(digest), jid, type: "while_executing", ttl: null, limit: 1 });
    const { plugin, recover } = recoverer();
    let ran = 0;
    await startWorker([defineJob("UW", () => void ran++)], (kiq) => kiq.use(plugin));
    // Recover while the worker listens on another queue, so D can be checked before it runs.
    await recover(payload.replace('"queue":"u"', '"queue":"parked"'));
    expect(await redis.hkeys(`${digest}:LOCKED`)).toEqual([jid]);
    expect(await redis.exists(`${runDigest(digest)}:LOCKED`)).toBe(0);
    expect(await uniqueClient(redis).push({ ...job })).toBeNull();
    // Back to its queue: it runs at once.
    await redis.rename("queue:parked", "queue:u");
    await eventually(() => ran === 1);
  });
});
