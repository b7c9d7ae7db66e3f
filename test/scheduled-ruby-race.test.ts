// Ruby's poller and kiq's race over one schedule set without coordinating: each job is moved by
// exactly one of them and run once by a real Ruby Sidekiq 7 server.

import { ScheduledPoller } from "@kiq/core";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "./support/paths.js";
import { waitForReceived } from "./support/received.js";
import { closeAll, freshRedis } from "./support/redis.js";
import { type RubySidekiqServer, startRubySidekiq } from "./support/ruby.js";

const silent = pino({ level: "silent" });

let redis: Redis;
let server: RubySidekiqServer | undefined;
beforeEach(async () => {
  redis = await freshRedis();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(closeAll);

describe("Ruby's poller and kiq's share the schedule", () => {
  it("each job is moved once, by one of them, and run once", async () => {
    const TOTAL = 200;
    /** Ruby's scheduler starts with its heartbeat, then waits [0, 5) s before its first poll. */
    const RUBY_FIRST_POLL_MS = 5_200;
    const WINDOW_MS = 2_000;
    server = startRubySidekiq(7, {
      requireFile: rubyFixture("jobs.rb"),
      concurrency: 10,
      env: { KIQ_TEST_POLL: "0.2" },
    });
    const deadline = Date.now() + 15_000;
    while ((await redis.scard("processes")) === 0) {
      server.assertAlive();
      if (Date.now() > deadline) throw new Error(`Ruby Sidekiq did not start:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Due one after another through a window in which both pollers are polling.
    const start = Date.now() + RUBY_FIRST_POLL_MS;
    const members: (string | number)[] = [];
    const jids: string[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const jid = `${i.toString(16).padStart(4, "0")}${"0".repeat(20)}`;
      jids.push(jid);
      const at = (start + (WINDOW_MS * i) / TOTAL) / 1000;
      members.push(at, `{"retry":true,"queue":"default","class":"Echo","args":[${i},1.0],"jid":"${jid}"}`);
    }
    await redis.zadd("schedule", ...members);

    const poller = new ScheduledPoller({ redis, sidekiqVersion: 7, logger: silent });
    let movedByKiq = 0;
    while (Date.now() < start + WINDOW_MS + 500) {
      movedByKiq += await poller.enqueueDue();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const received = await waitForReceived(redis, TOTAL, { server, timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // a duplicate run would show up by now
    const runs = new Map<string, number>();
    for (const r of await waitForReceived(redis, TOTAL, { server }))
      runs.set(r.jid, (runs.get(r.jid) ?? 0) + 1);
    expect(received.length).toBe(TOTAL);
    expect(runs.size).toBe(TOTAL);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(jids.every((jid) => runs.has(jid))).toBe(true);
    expect(await redis.zcard("schedule")).toBe(0);
    // Both took part.
    expect(movedByKiq).toBeGreaterThan(0);
    expect(movedByKiq).toBeLessThan(TOTAL);
  });
});
