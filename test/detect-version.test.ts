// Which format kiq writes when left to "detect": the oldest Sidekiq among the live Ruby processes.

import { Client, detectSidekiqVersion } from "@kiq/core";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, expect, it } from "vitest";
import { rubyFixture } from "./support/paths.js";
import { closeAll, freshRedis, testRedisUrl } from "./support/redis.js";
import { type RubySidekiqServer, type SidekiqMajor, startRubySidekiq } from "./support/ruby.js";

let redis: Redis;
let servers: RubySidekiqServer[] = [];
beforeEach(async () => {
  redis = await freshRedis();
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});
afterAll(closeAll);

async function startFleet(...versions: SidekiqMajor[]): Promise<void> {
  servers = versions.map((version) => startRubySidekiq(version, { requireFile: rubyFixture("jobs.rb") }));
  const deadline = Date.now() + 20_000;
  while ((await redis.scard("processes")) < versions.length) {
    for (const server of servers) server.assertAlive();
    if (Date.now() > deadline) throw new Error("the Ruby processes did not beat");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it("finds no version when no Ruby process is alive", async () => {
  expect(await detectSidekiqVersion(redis)).toBeUndefined();
  await redis.sadd("processes", "gone:1:abc"); // a member whose heartbeat expired
  expect(await detectSidekiqVersion(redis)).toBeUndefined();
});

it.each([[[8]], [[7, 8]], [[6, 7, 8]]] as const)(
  "reads %j from live heartbeats, oldest first",
  async (versions) => {
    await startFleet(...versions);
    expect(await detectSidekiqVersion(redis)).toBe(Math.min(...versions));
  },
);

it("makes a detecting Client write that fleet's timestamps", async () => {
  await startFleet(8);
  const client = new Client({ url: testRedisUrl() });
  await client.push({ class: "Nobody", args: [], queue: "unserved" });
  await client.close();
  expect(await redis.lindex("queue:unserved", 0)).toMatch(/"created_at":\d{13},/);
});
