// Server-side release on a kiq worker at the moments sidekiq-unique-jobs 8.1.0 releases:
// until_executing before perform, until_executed after a successful perform (kept on failure),
// while_executing holds D:RUN during perform only; a Ruby-pushed lock is released by Node.

import { Client, defineJob } from "@kiq/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { runRubyScript } from "../../../../test/support/ruby.js";
import { uniqueJobs } from "../src/index.js";
import { eventually, startWorker, stopWorkers } from "./support/workers.js";

const SIDEKIQ_VERSION = 8;
/** Shorter than the gem's 1-second minimum server wait, so the second duplicate gets the lock. */
const WHILE_EXECUTING_RUN_MS = 300;

afterEach(stopWorkers);
afterAll(closeAll);

describe("server release", () => {
  it("until_executed: lock held while running, released after success", async () => {
    const redis = await freshRedis();
    const seen: number[] = [];
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    await client.push({ class: "UE", queue: "u", args: [1], lock: "until_executed" });
    const digest = String((await redis.zrange("uniquejobs:digests", 0, -1))[0]);
    await startWorker([
      defineJob("UE", async () => {
        seen.push(await redis.hlen(`${digest}:LOCKED`));
      }),
    ]);
    await eventually(async () => seen.length === 1 && (await redis.exists(`${digest}:LOCKED`)) === 0);
    expect(seen).toEqual([1]);
    expect(await redis.zcard("uniquejobs:digests")).toBe(0);
    expect(await redis.exists(digest)).toBe(0);
  });

  it("until_executed: a failed job keeps its lock (retries stay unique)", async () => {
    const redis = await freshRedis();
    await startWorker([defineJob("Fails", () => Promise.reject(new Error("boom")))]);
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    const jid = await client.push({ class: "Fails", queue: "u", args: [1], lock: "until_executed" });
    await eventually(async () => (await redis.zcard("retry")) === 1);
    const [digest] = await redis.zrange("uniquejobs:digests", 0, -1);
    expect(await redis.hexists(`${digest}:LOCKED`, String(jid))).toBe(1);
  });

  it("until_executing: released before perform", async () => {
    const redis = await freshRedis();
    const seen: number[] = [];
    await startWorker([
      defineJob("UX", async () => {
        seen.push(await redis.zcard("uniquejobs:digests"));
      }),
    ]);
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    await client.push({ class: "UX", queue: "u", args: [1], lock: "until_executing" });
    await eventually(async () => seen.length === 1);
    expect(seen).toEqual([0]);
  });

  it("while_executing: duplicates never overlap (the second waits for D:RUN); no client lock", async () => {
    const redis = await freshRedis();
    let running = 0;
    let maxRunning = 0;
    let ran = 0;
    await startWorker([
      defineJob("WE", async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, WHILE_EXECUTING_RUN_MS));
        running--;
        ran++;
      }),
    ]);
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    await client.push({ class: "WE", queue: "u", args: [1], lock: "while_executing" });
    await client.push({ class: "WE", queue: "u", args: [1], lock: "while_executing" });
    await eventually(async () => ran === 2);
    expect(maxRunning).toBe(1);
    // Only the wake token list (D:RUN:QUEUED, 5 s expiry) may remain, as after the gem's unlock.
    await eventually(async () => (await redis.keys("uniquejobs:*:LOCKED")).length === 0);
    expect(await redis.zcard("uniquejobs:digests")).toBe(0);
  });

  it("until_and_while_executing: D released at start, D:RUN held during perform", async () => {
    const redis = await freshRedis();
    const seen: string[][] = [];
    await startWorker([
      defineJob("UW", async () => {
        seen.push(
          (await redis.keys("uniquejobs:*:LOCKED")).map((key) =>
            key.endsWith(":RUN:LOCKED") ? "run" : "queue",
          ),
        );
      }),
    ]);
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    await client.push({ class: "UW", queue: "u", args: [1], lock: "until_and_while_executing" });
    await eventually(async () => seen.length === 1);
    expect(seen).toEqual([["run"]]);
    await eventually(async () => (await redis.keys("uniquejobs:*:LOCKED")).length === 0);
    expect(await redis.zcard("uniquejobs:digests")).toBe(0);
  });

  it("a job Ruby's client locked is released by a Node worker", async () => {
    const redis = await freshRedis();
    let ran = 0;
    await startWorker([defineJob("UJ", () => void ran++)]);
    const ruby = await runRubyScript<{ jids: string[] }>(
      SIDEKIQ_VERSION,
      "fixtures/ruby/unique_push.rb",
      { push: [{ class: "UJ", queue: "u", args: [2.5, "x"], lock: "until_executed" }] },
      { env: { UNIQUE_JOBS: "1" } },
    );
    expect(ruby.jids[0]).toBeTypeOf("string");
    await eventually(async () => ran === 1 && (await redis.zcard("uniquejobs:digests")) === 0);
    expect(await redis.keys("uniquejobs:*:LOCKED")).toEqual([]);
  });

  it("until_and_while_executing: a job whose D another jid holds is not run (the gem's unlock_failed)", async () => {
    const redis = await freshRedis();
    let ran = 0;
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    const job = { class: "UW", queue: "parked", args: [1], lock: "until_and_while_executing" };
    await client.push(job);
    const payload = String(await redis.rpop("queue:parked"));
    const digest = String(JSON.parse(payload).lock_digest);
    // Its lock was lost (say, expired) and a duplicate took it.
    await redis.del(digest, `${digest}:LOCKED`);
    await redis.zrem("uniquejobs:digests", digest);
    const other = await client.push(job);
    await redis.del("queue:parked");
    await startWorker([defineJob("UW", () => void ran++)]);
    await redis.lpush("queue:u", payload);
    await eventually(async () => (await redis.llen("queue:u")) === 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ran).toBe(0);
    expect(await redis.hkeys(`${digest}:LOCKED`)).toEqual([other]);
  });
});
