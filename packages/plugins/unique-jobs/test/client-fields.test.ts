// A Node client with uniqueJobs() writes the gem's fields into unique jobs; the lock_digest in the
// queue entry is the one sidekiq-unique-jobs 8.1.0 computes from that very entry in Ruby.

import { Client } from "@kiq/core";
import { afterAll, describe, expect, it } from "vitest";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { runRubyScript } from "../../../../test/support/ruby.js";
import { uniqueJobs } from "../src/index.js";

const FIXTURE = "fixtures/ruby/unique_digest.rb";
const SIDEKIQ_VERSION = 8;
const LOCK_TTL = 120;
const SCHEDULE_IN = 600;
/** Seconds a scheduled TTL may differ by: the two sides read the clock a moment apart. */
const CLOCK_SLACK = 2;

afterAll(closeAll);

describe("uniqueJobs() on a client", () => {
  it("adds lock fields whose digest Ruby recomputes identically, and leaves non-unique jobs alone", async () => {
    const redis = await freshRedis();
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    await client.push({ class: "UJ", queue: "u", args: [1, "a", 2.5], lock: "until_executed" });
    await client.push({ class: "Plain", queue: "u", args: [1] });
    const [plain, unique] = await redis.lrange("queue:u", 0, -1);
    const item = JSON.parse(String(unique));
    expect(item).toMatchObject({
      lock_timeout: 0,
      lock_ttl: null,
      lock_prefix: "uniquejobs",
      lock_args: [1, "a", 2.5],
    });
    expect(JSON.parse(String(plain))).not.toHaveProperty("lock_digest");

    const ruby = await runRubyScript<{ prepared: string[] }>(
      SIDEKIQ_VERSION,
      FIXTURE,
      { cases: [{ item_json: unique }] },
      {
        env: { UNIQUE_JOBS: "1" },
      },
    );
    expect(JSON.parse(String(ruby.prepared[0])).lock_digest).toBe(item.lock_digest);
  });

  it("adds the time until a scheduled job runs to its lock TTL, as the gem does", async () => {
    const redis = await freshRedis();
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    await client.push({ class: "UJ", args: [], lock: "until_expired", lock_ttl: LOCK_TTL, in: SCHEDULE_IN });
    const [entry] = await redis.zrange("schedule", 0, -1);
    const item = JSON.parse(String(entry));
    expect(Math.abs(item.lock_ttl - (LOCK_TTL + SCHEDULE_IN))).toBeLessThanOrEqual(CLOCK_SLACK);
  });
});
