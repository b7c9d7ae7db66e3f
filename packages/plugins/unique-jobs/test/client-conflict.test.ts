// Client conflict strategies against a real Redis, each cross-checked where Ruby's
// sidekiq-unique-jobs 8.1.0 client can run the same pushes: the keys, queue, schedule and dead set
// each side leaves must agree (jids aside).

import { Client } from "@kiq/core";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { capturedLogger } from "../../../../test/support/captured-logger.js";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { runRubyScript, type SidekiqMajor } from "../../../../test/support/ruby.js";
import { UniqueConflictError, uniqueJobs } from "../src/index.js";

const SIDEKIQ_VERSION = 8;
/** The Sidekiq versions sidekiq-unique-jobs 8.1.0 runs on. */
const GEM_SIDEKIQS = [7, 8] as const;
const SCHEDULE_IN_S = 5;
const JOB = { class: "UJ", queue: "u", args: [1, "a"], lock: "until_executed" };

interface RubyPush {
  jids: (string | null)[];
}

function rubyPush(
  push: unknown[],
  define?: Record<string, unknown>,
  version: SidekiqMajor = SIDEKIQ_VERSION,
): Promise<RubyPush> {
  return runRubyScript<RubyPush>(
    version,
    "fixtures/ruby/unique_push.rb",
    { push, define },
    { env: { UNIQUE_JOBS: "1" } },
  );
}

function nodeClient(
  redis: Redis,
  options?: Parameters<typeof uniqueJobs>[0],
  version: SidekiqMajor = SIDEKIQ_VERSION,
) {
  const { logger, lines } = capturedLogger("debug");
  const client = new Client({ redis, sidekiqVersion: version, logger }).use(uniqueJobs(options));
  return { client, lines };
}

/** What a user would look at after the pushes, with each jid named by the push that made it. */
async function observed(redis: Redis, jids: (string | null)[]) {
  const name = (text: string) =>
    jids.reduce<string>((out, jid, i) => (jid ? out.replaceAll(jid, `<push ${i}>`) : out), text);
  const keys = (await redis.keys("*")).filter((key) => key !== "uniquejobs:changelog").sort();
  const [digest] = await redis.zrange("uniquejobs:digests", 0, -1);
  const jidsOf = async (entries: string[]) => entries.map((entry) => name(String(JSON.parse(entry).jid)));
  return {
    keys,
    holder: digest ? name(String(await redis.get(digest))) : null,
    lockedBy: digest ? Object.keys(await redis.hgetall(`${digest}:LOCKED`)).map(name) : [],
    queue: await jidsOf(await redis.lrange("queue:u", 0, -1)),
    dead: await jidsOf(await redis.zrange("dead", 0, -1)),
    scheduled: (await redis.zcard("schedule")) as number,
  };
}

afterAll(closeAll);

describe("client conflict strategies", () => {
  it("none: the duplicate is dropped and push answers null", async () => {
    const redis = await freshRedis();
    const { client } = nodeClient(redis);
    expect(await client.push({ ...JOB })).toBeTypeOf("string");
    expect(await client.push({ ...JOB })).toBeNull();
    expect(await redis.llen("queue:u")).toBe(1);
  });

  it("log: the gem's message names the duplicate's jid and the digest", async () => {
    const redis = await freshRedis();
    const { client, lines } = nodeClient(redis);
    await client.push({ ...JOB, on_conflict: "log" });
    const job = { ...JOB, on_conflict: "log", jid: "0123456789abcdef01234567" };
    expect(await client.push(job)).toBeNull();
    const [digest] = await redis.zrange("uniquejobs:digests", 0, -1);
    expect(lines.map((line) => line.msg)).toContain(
      `Skipping job with id (0123456789abcdef01234567) because lock_digest: (${digest}) already exists`,
    );
  });

  it("raise: push rejects with UniqueConflictError and writes nothing; Ruby raises Conflict alike", async () => {
    const redis = await freshRedis();
    const { client } = nodeClient(redis);
    await client.push({ ...JOB, on_conflict: "raise" });
    await expect(client.push({ ...JOB, on_conflict: "raise" })).rejects.toBeInstanceOf(UniqueConflictError);
    expect(await redis.llen("queue:u")).toBe(1);
    await freshRedis();
    expect(
      (
        await rubyPush([
          { ...JOB, on_conflict: "raise" },
          { ...JOB, on_conflict: "raise" },
        ])
      ).jids[1],
    ).toBe("conflict");
  });

  it.each(GEM_SIDEKIQS)(
    "reject (Sidekiq %i): the duplicate goes to the dead set with the payload keys Ruby writes; the holder keeps the lock",
    async (version) => {
      const reject = { ...JOB, on_conflict: "reject" };
      const pushes = [reject, reject];
      const redis = await freshRedis();
      const ruby = await rubyPush(pushes, undefined, version);
      const rubyState = await observed(redis, ruby.jids);
      const [rubyDead] = await redis.zrange("dead", 0, -1);
      await freshRedis();
      const { client } = nodeClient(redis, undefined, version);
      const jids = [await client.push({ ...reject }), null];
      const duplicate = { ...reject, jid: "feedfacefeedfacefeedface" };
      expect(await client.push(duplicate)).toBeNull();
      jids[1] = duplicate.jid;
      const nodeState = await observed(redis, jids);
      const [nodeDead] = await redis.zrange("dead", 0, -1);
      // Ruby's push answers nil for the rejected job, so its jid is only known as "not the holder's".
      expect(rubyState.dead).toHaveLength(1);
      expect(rubyState.dead).not.toContain("<push 0>");
      expect(nodeState).toEqual({ ...rubyState, dead: ["<push 1>"] });
      expect(nodeState.lockedBy).toEqual(["<push 0>"]);
      expect(Object.keys(JSON.parse(String(nodeDead)))).toEqual(Object.keys(JSON.parse(String(rubyDead))));
    },
  );

  it.each(GEM_SIDEKIQS)(
    "replace (Sidekiq %i): the queued holder and its lock go, the new job is queued and holds the lock — as in Ruby",
    async (version) => {
      const replace = { ...JOB, on_conflict: "replace" };
      const pushes = [replace, replace];
      const redis = await freshRedis();
      const ruby = await rubyPush(pushes, undefined, version);
      const rubyState = await observed(redis, ruby.jids);
      await freshRedis();
      const { client } = nodeClient(redis, undefined, version);
      const jids = [await client.push({ ...replace }), await client.push({ ...replace })];
      expect(jids[1]).toBeTypeOf("string");
      expect(await observed(redis, jids)).toEqual(rubyState);
      expect(rubyState).toMatchObject({ queue: ["<push 1>"], holder: "<push 1>", lockedBy: ["<push 1>"] });
    },
  );

  it("replace: a scheduled holder is taken out of the schedule", async () => {
    const redis = await freshRedis();
    const { client } = nodeClient(redis);
    const first = await client.push({ ...JOB, on_conflict: "replace", in: 60 });
    const second = await client.push({ ...JOB, on_conflict: "replace" });
    expect(second).toBeTypeOf("string");
    expect(await redis.zcard("schedule")).toBe(0);
    expect((await observed(redis, [first, second])).queue).toEqual(["<push 1>"]);
  });

  it("replace: when the holder is in no queue or set (running), nothing is deleted and the new job is dropped", async () => {
    const redis = await freshRedis();
    const { client } = nodeClient(redis);
    const first = await client.push({ ...JOB, on_conflict: "replace" });
    await redis.del("queue:u"); // a worker took it
    expect(await client.push({ ...JOB, on_conflict: "replace" })).toBeNull();
    expect((await observed(redis, [first])).lockedBy).toEqual(["<push 0>"]);
  });

  it("reschedule: a new job of the same class, queue and args in schedule_in seconds, not lock-checked; Ruby's has the same class options", async () => {
    const options = { lock: "until_executed", on_conflict: "reschedule" };
    const reschedule = { ...JOB, ...options };
    const pushes = [reschedule, reschedule];
    const redis = await freshRedis();
    await rubyPush(pushes, { UJ: options });
    const [rubyScheduled] = await redis.zrange("schedule", 0, -1);
    await freshRedis();
    const { client } = nodeClient(redis);
    const first = await client.push({ ...reschedule });
    const before = Date.now() / 1000;
    expect(await client.push({ ...reschedule })).toBeNull();
    const [scheduled, score] = await redis.zrange("schedule", 0, -1, "WITHSCORES");
    const job = JSON.parse(String(scheduled));
    expect(Number(score) - before).toBeGreaterThanOrEqual(SCHEDULE_IN_S - 0.5);
    expect(Number(score) - before).toBeLessThan(SCHEDULE_IN_S + 1);
    expect(job).toMatchObject({ class: "UJ", queue: "u", args: [1, "a"], lock: "until_executed" });
    expect(job.jid).not.toBe(first);
    expect(job).not.toHaveProperty("rescheduled");
    expect(job).not.toHaveProperty("lock_digest");
    for (const key of Object.keys(JSON.parse(String(rubyScheduled)))) expect(job).toHaveProperty(key);
    // Not lock-checked: the first job alone holds the digest.
    expect((await observed(redis, [first])).lockedBy).toEqual(["<push 0>"]);
  });

  it("reschedule uses the job's schedule_in", async () => {
    const redis = await freshRedis();
    const { client } = nodeClient(redis);
    await client.push({ ...JOB, on_conflict: "reschedule", schedule_in: 30 });
    const before = Date.now() / 1000;
    await client.push({ ...JOB, on_conflict: "reschedule", schedule_in: 30 });
    const [, score] = await redis.zrange("schedule", 0, -1, "WITHSCORES");
    expect(Number(score) - before).toBeGreaterThan(29);
  });

  it("on_conflict as {client:, server:}, on_client_conflict over it, and the global onConflict", async () => {
    const redis = await freshRedis();
    const { client } = nodeClient(redis, { onConflict: "raise" });
    await client.push({ ...JOB });
    await expect(client.push({ ...JOB })).rejects.toBeInstanceOf(UniqueConflictError);
    expect(await client.push({ ...JOB, on_conflict: { client: "reject", server: "raise" } })).toBeNull();
    expect(await redis.zcard("dead")).toBe(1);
    expect(await client.push({ ...JOB, on_conflict: "raise", on_client_conflict: "reject" })).toBeNull();
    expect(await redis.zcard("dead")).toBe(2);
  });

  it("an unknown strategy warns and drops the duplicate", async () => {
    const redis = await freshRedis();
    const { client, lines } = nodeClient(redis);
    await client.push({ ...JOB, on_conflict: "shrug" });
    expect(await client.push({ ...JOB, on_conflict: "shrug" })).toBeNull();
    expect(lines.some((line) => String(line.msg).includes("no conflict strategy named shrug"))).toBe(true);
  });
});
