// Client-side locks in the gem's keys: a Node duplicate is not pushed; a job Ruby's
// sidekiq-unique-jobs 8.1.0 client locked is a duplicate to Node, and the reverse; Ruby's
// SidekiqUniqueJobs::Digests lists Node's locks.

import { Client } from "@kiq/core";
import { afterAll, describe, expect, it } from "vitest";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { runRubyScript } from "../../../../test/support/ruby.js";
import { uniqueJobs } from "../src/index.js";

const PUSH_FIXTURE = "fixtures/ruby/unique_push.rb";
const SIDEKIQ_VERSION = 8;
const UNIQUE_ENV = { UNIQUE_JOBS: "1" };
const EXPIRING_TTL_S = 3600;
const SHORT_TTL_S = 1;
const TTL_SLACK_MS = 100;
const LIMIT = 3;
const JOB = { class: "UJ", queue: "u", args: [1, "a"], lock: "until_executed" };

interface RubyPush {
  jids: (string | null)[];
  entries: Record<string, number>;
}

function rubyPush(push: unknown[]): Promise<RubyPush> {
  return runRubyScript<RubyPush>(SIDEKIQ_VERSION, PUSH_FIXTURE, { push }, { env: UNIQUE_ENV });
}

afterAll(closeAll);

describe("client locks", () => {
  it("pushes one of two duplicates and writes the gem's keys", async () => {
    const redis = await freshRedis();
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    const first = await client.push({ ...JOB });
    const second = await client.push({ ...JOB });
    expect(first).toBeTypeOf("string");
    expect(second).toBeNull();
    expect(await redis.llen("queue:u")).toBe(1);
    const digest = JSON.parse(String(await redis.lindex("queue:u", 0))).lock_digest;
    expect(await redis.get(digest)).toBe(first);
    expect(Object.keys(await redis.hgetall(`${digest}:LOCKED`))).toEqual([first]);
    expect(await redis.zscore("uniquejobs:digests", digest)).not.toBeNull();
  });

  it("a job Ruby locked is a duplicate to Node", async () => {
    const redis = await freshRedis();
    const ruby = await rubyPush([JOB]);
    expect(ruby.jids[0]).toBeTypeOf("string");
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    expect(await client.push({ ...JOB })).toBeNull();
    expect(await redis.llen("queue:u")).toBe(1);
  });

  it("a job Node locked is a duplicate to Ruby, and Ruby's Digests lists it", async () => {
    const redis = await freshRedis();
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    const jid = await client.push({ ...JOB });
    const digest = JSON.parse(String(await redis.lindex("queue:u", 0))).lock_digest;
    const ruby = await rubyPush([JOB]);
    expect(ruby.jids).toEqual([null]);
    expect(Object.keys(ruby.entries)).toEqual([digest]);
    expect(await redis.llen("queue:u")).toBe(1);
    expect(jid).toBeTypeOf("string");
  });

  it("until_expired with lock_ttl: in expiring_digests (score now + pttl ms), keys expire by TTL", async () => {
    const redis = await freshRedis();
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    const before = Date.now() / 1000;
    await client.push({ ...JOB, lock: "until_expired", lock_ttl: EXPIRING_TTL_S });
    const [digest, score] = await redis.zrange("uniquejobs:expiring_digests", 0, -1, "WITHSCORES");
    expect(Number(score) - before).toBeGreaterThanOrEqual(EXPIRING_TTL_S * 1000);
    expect(await redis.zcard("uniquejobs:digests")).toBe(0);
    const pttl = await redis.pttl(`${digest}:LOCKED`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(EXPIRING_TTL_S * 1000);
    expect(await client.push({ ...JOB, lock: "until_expired", lock_ttl: EXPIRING_TTL_S })).toBeNull();
  });

  it("a lock whose TTL ran out no longer blocks a duplicate", async () => {
    const redis = await freshRedis();
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    expect(await client.push({ ...JOB, lock_ttl: SHORT_TTL_S })).toBeTypeOf("string");
    expect(await client.push({ ...JOB, lock_ttl: SHORT_TTL_S })).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, SHORT_TTL_S * 1000 + TTL_SLACK_MS));
    expect(await client.push({ ...JOB, lock_ttl: SHORT_TTL_S })).toBeTypeOf("string");
  });

  it("lock_limit: that many holders at once, then duplicates", async () => {
    const redis = await freshRedis();
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    const jids = [];
    for (let i = 0; i < LIMIT + 2; i++) jids.push(await client.push({ ...JOB, lock_limit: LIMIT }));
    expect(jids.filter((jid) => jid !== null)).toHaveLength(LIMIT);
    expect(await redis.llen("queue:u")).toBe(LIMIT);
  });

  it("the gem's aliases lock as their types: while_enqueued pushed by Ruby is a duplicate to Node's", async () => {
    const redis = await freshRedis();
    const aliased = { ...JOB, lock: "while_enqueued" };
    expect((await rubyPush([aliased])).jids[0]).toBeTypeOf("string");
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    expect(await client.push({ ...aliased })).toBeNull();
    expect(await client.push({ ...JOB, args: [2], lock: "until_performed" })).toBeTypeOf("string");
    expect(await client.push({ ...JOB, args: [2], lock: "until_performed" })).toBeNull();
    expect(await client.push({ ...JOB, args: [3], lock: "no_such_lock" })).toBeTypeOf("string");
    expect(await client.push({ ...JOB, args: [3], lock: "no_such_lock" })).toBeTypeOf("string");
  });
});
