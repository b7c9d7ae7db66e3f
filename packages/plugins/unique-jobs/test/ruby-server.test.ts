// A Ruby Sidekiq server with sidekiq-unique-jobs 8.1.0 and a kiq worker sharing one runtime lock:
// while one side runs a while_executing job, the other side's duplicate cannot take D:RUN and goes
// to its server conflict strategy (here reject: the dead set). Same digest on both sides.

import { defineJob } from "@kiq/core";
import type { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { rubyFixture } from "../../../../test/support/paths.js";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { type RubySidekiqServer, startRubySidekiq } from "../../../../test/support/ruby.js";
import { eventually, startWorker, stopWorkers } from "./support/workers.js";

/** Longer than the 1-second wait of the other side's duplicate. */
const RUN_MS = 1800;
const servers: RubySidekiqServer[] = [];

/** A while_executing job as any client writes it; unique across queues, so "u" (Node) and "r" (Ruby) share a digest. */
function job(queue: string, jid: string): string {
  return JSON.stringify({
    class: "UniqueRun",
    queue,
    args: [RUN_MS],
    jid,
    retry: true,
    created_at: Date.now() / 1000,
    lock: "while_executing",
    unique_across_queues: true,
    on_conflict: "reject",
  });
}

async function runs(redis: Redis): Promise<string[]> {
  return redis.lrange("unique:runs", 0, -1);
}

afterEach(async () => {
  await stopWorkers();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});
afterAll(closeAll);

describe("a Ruby server and a Node worker", () => {
  it.each([7, 8] as const)("exclude each other's while_executing runs (Sidekiq %i)", async (version) => {
    const redis = await freshRedis();
    const ruby = startRubySidekiq(version, {
      requireFile: rubyFixture("unique_server.rb"),
      queues: ["r"],
      concurrency: 2,
      env: { UNIQUE_JOBS: "1" },
    });
    servers.push(ruby);
    await startWorker([
      defineJob("UniqueRun", async function (ms: number) {
        await redis.rpush("unique:runs", `node start ${this.jid}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        await redis.rpush("unique:runs", `node end ${this.jid}`);
      }),
    ]);
    await eventually(async () => {
      ruby.assertAlive();
      return (await redis.scard("processes")) >= 2;
    }, 20_000);

    // Node runs first; Ruby's duplicate finds D:RUN held and rejects itself.
    await redis.lpush("queue:u", job("u", "a".repeat(24)));
    await eventually(async () => (await runs(redis)).includes(`node start ${"a".repeat(24)}`));
    await redis.lpush("queue:r", job("r", "b".repeat(24)));
    await eventually(async () => (await redis.zcard("dead")) === 1, 10_000);
    expect(JSON.parse(String((await redis.zrange("dead", 0, -1))[0])).jid).toBe("b".repeat(24));
    await eventually(async () => (await runs(redis)).length === 2);

    // Ruby runs first; Node's duplicate rejects itself.
    await redis.lpush("queue:r", job("r", "c".repeat(24)));
    await eventually(async () => (await runs(redis)).includes(`ruby start ${"c".repeat(24)}`), 10_000);
    await redis.lpush("queue:u", job("u", "d".repeat(24)));
    await eventually(async () => (await redis.zcard("dead")) === 2, 10_000);
    const dead = (await redis.zrange("dead", 0, -1)).map((entry) => JSON.parse(entry).jid);
    expect(dead.sort()).toEqual(["b".repeat(24), "d".repeat(24)]);
    await eventually(async () => (await runs(redis)).length === 4, 10_000);
    expect(await runs(redis)).toEqual([
      `node start ${"a".repeat(24)}`,
      `node end ${"a".repeat(24)}`,
      `ruby start ${"c".repeat(24)}`,
      `ruby end ${"c".repeat(24)}`,
    ]);
  });
});
