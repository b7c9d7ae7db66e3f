// The test harness itself: the private Redis, Ruby Sidekiq 6/7/8 pushing through enqueue.rb, a
// real Sidekiq server running the fixture jobs, and inspect.rb reading what Sidekiq::API sees.

import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";
import { rubyFixture } from "./support/paths.js";
import { waitForReceived } from "./support/received.js";
import { closeAll, freshRedis, testRedisPort } from "./support/redis.js";
import { runRubyScript, SIDEKIQ_VERSIONS, startRubySidekiq } from "./support/ruby.js";

const ENQUEUE = rubyFixture("enqueue.rb");
const INSPECT = rubyFixture("inspect.rb");
const JOBS = rubyFixture("jobs.rb");

/** Values JSON from Node cannot express, written by Ruby itself. */
const RUBY_ARGS = [{ $ruby: "12345678901234567890" }, { $ruby: "1.0" }, { $ruby: "-0.0" }];

interface InspectView {
  version: string;
  queues: Record<string, string[]>;
  stats: { enqueued: number };
}

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});
afterAll(closeAll);

it("runs a private redis-server, not the machine's 6379", async () => {
  const port = inject("redisPort");
  expect(port).not.toBe(6379);
  expect(testRedisPort()).toBe(port);
  expect(redis.options.port).toBe(port);
  expect(await redis.ping()).toBe("PONG");
});

describe.each(SIDEKIQ_VERSIONS)("Sidekiq %i", (version) => {
  it("pushes Ruby-only values through enqueue.rb, with its version's created_at", async () => {
    const [jid] = await runRubyScript<string[]>(version, ENQUEUE, [{ class: "Echo", args: RUBY_ARGS }]);
    const [raw] = await redis.lrange("queue:default", 0, -1);
    expect(raw).toContain(`"jid":"${jid}"`);
    expect(raw).toContain('"args":[12345678901234567890,1.0,-0.0]');
    // 6.x/7.x write Float seconds; 8.x writes Integer milliseconds.
    const createdAt = /"created_at":([0-9.e+]+)[,}]/.exec(raw ?? "")?.[1];
    if (version === 8) expect(createdAt).toMatch(/^\d{13}$/);
    else expect(createdAt).toMatch(/^\d{10}\.\d+$/);
  });

  it("lists the queue's stored strings through inspect.rb", async () => {
    await runRubyScript(version, ENQUEUE, [{ class: "Billing::Charge", args: [1, "usd"], queue: "billing" }]);
    const stored = await redis.lrange("queue:billing", 0, -1);
    const view = await runRubyScript<InspectView>(version, INSPECT);
    expect(view.version.startsWith(`${version}.`)).toBe(true);
    expect(view.queues).toEqual({ billing: stored });
    expect(view.stats.enqueued).toBe(1);
  });
});

it("runs a job in a real Sidekiq 6 server, which receives Ruby's exact values", async () => {
  const [jid] = await runRubyScript<string[]>(6, ENQUEUE, [{ class: "Echo", args: RUBY_ARGS }]);
  const server = startRubySidekiq(6, { requireFile: JOBS, queues: ["default"], concurrency: 1 });
  try {
    const [received] = await waitForReceived(redis, 1, { server });
    expect(received).toEqual({
      jid,
      class: "Echo",
      args_inspect: "[12345678901234567890, 1.0, -0.0]",
      arg_classes: ["Integer", "Float", "Float"],
      queue: "default",
      sidekiq_version: "6.4.1",
    });
  } finally {
    await server.stop();
  }
});
