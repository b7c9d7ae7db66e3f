// mode "assured": sidekiq-assured-jobs 1.1.0's keys (spec §3.1, read from the gem's source; the
// gem is not packaged, so Ruby's side is the format it writes, set up here by hand).

import { defineJob, Kiq } from "@kiq/core";
import { tracker } from "@kiq/tracker";
import { afterAll, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { rubyJob, silent, until } from "./support.js";

afterAll(closeAll);

const NS = "sidekiq_assured_jobs";

describe('tracker({ mode: "assured" })', () => {
  it("tracks an opted-in job while it runs in the gem's keys, and only opted-in jobs", async () => {
    const redis = await freshRedis();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running: string[] = [];
    const kiq = new Kiq({ url: testRedisUrl(), logger: silent })
      .use(tracker({ mode: "assured", instanceId: "0123456789abcdef" }))
      .register(
        defineJob(
          "SlowJob",
          async () => {
            running.push("slow");
            await gate;
          },
          { assured_jobs: true },
        ),
        defineJob("PlainJob", async () => {
          running.push("plain");
          await gate;
        }),
      );
    const opted = rubyJob("aaaaaaaaaaaaaaaaaaaaaaaa");
    const plain = rubyJob("bbbbbbbbbbbbbbbbbbbbbbbb").replace('"class":"SlowJob"', '"class":"PlainJob"');
    const inPayload = rubyJob("cccccccccccccccccccccccc", "default", ',"processing":true').replace(
      '"class":"SlowJob"',
      '"class":"PlainJob"',
    );
    await redis.lpush("queue:default", opted, plain, inPayload);
    await kiq.start();
    try {
      await until(() => running.length === 3);
      const beat = await redis.get(`${NS}:instance:0123456789abcdef`);
      expect(Number(beat)).toBeCloseTo(Date.now() / 1000, -1);
      expect(beat).toMatch(/^\d+\.\d+$/);
      const ttl = await redis.ttl(`${NS}:instance:0123456789abcdef`);
      expect(ttl).toBeGreaterThan(40);
      expect(ttl).toBeLessThanOrEqual(45);
      expect((await redis.smembers(`${NS}:jobs:0123456789abcdef`)).sort()).toEqual([
        "aaaaaaaaaaaaaaaaaaaaaaaa",
        "cccccccccccccccccccccccc",
      ]);
      expect(await redis.get(`${NS}:job:aaaaaaaaaaaaaaaaaaaaaaaa`)).toBe(opted); // byte for byte
      expect(await redis.get(`${NS}:job:cccccccccccccccccccccccc`)).toBe(inPayload);
      expect(await redis.exists(`${NS}:job:bbbbbbbbbbbbbbbbbbbbbbbb`)).toBe(0);
      release();
      await until(async () => (await redis.exists(`${NS}:jobs:0123456789abcdef`)) === 0);
      expect(await redis.keys(`${NS}:job:*`)).toEqual([]);
    } finally {
      release();
      await kiq.stop();
    }
    expect(await redis.exists(`${NS}:instance:0123456789abcdef`)).toBe(0); // the gem deletes it too
  });

  it("recovers a dead instance's jobs (as the gem leaves them) once, under the gem's recovery_lock", async () => {
    const redis = await freshRedis();
    // A Ruby instance died mid-job: its heartbeat expired, its set and the job copy stay.
    const copy =
      '{"retry":true,"queue":"mail","class":"SlowJob","args":["\\u003cb\\u003e"],"jid":"dddddddddddddddddddddddd","created_at":1795378518.3579154,"enqueued_at":1795378518.358027,"assured_jobs":true}';
    const poison =
      '{"retry":true,"queue":"mail","class":"SlowJob","args":[],"jid":"eeeeeeeeeeeeeeeeeeeeeeee","interrupted_count":2}';
    await redis.sadd(
      `${NS}:jobs:feedfacefeedface`,
      "dddddddddddddddddddddddd",
      "eeeeeeeeeeeeeeeeeeeeeeee",
      "gone",
    );
    await redis.set(`${NS}:job:dddddddddddddddddddddddd`, copy);
    await redis.set(`${NS}:job:eeeeeeeeeeeeeeeeeeeeeeee`, poison);
    // A live one is left alone.
    await redis.set(`${NS}:instance:1111111111111111`, "1795378518.1", "EX", 45);
    await redis.sadd(`${NS}:jobs:1111111111111111`, "ffffffffffffffffffffffff");
    const kiq = new Kiq({ url: testRedisUrl(), queues: ["unused"], logger: silent }).use(
      tracker({ mode: "assured", instanceId: "2222222222222222" }),
    );
    await kiq.start();
    try {
      expect(await redis.get(`${NS}:recovery_lock`)).toBe("2222222222222222");
      expect(await redis.lrange("queue:mail", 0, -1)).toEqual([
        copy.replace(/}$/, ',"interrupted_count":1}'),
      ]);
      const [dead] = await redis.zrange("dead", 0, -1);
      expect(JSON.parse(dead as string)).toMatchObject({
        jid: "eeeeeeeeeeeeeeeeeeeeeeee",
        interrupted_count: 3,
        error_class: "Kiq::Tracker::PoisonPill",
      });
      expect(await redis.sismember("queues", "mail")).toBe(1);
      expect(await redis.keys(`${NS}:job:*`)).toEqual([]);
      expect(await redis.exists(`${NS}:jobs:feedfacefeedface`)).toBe(0);
      expect(await redis.exists(`${NS}:jobs:2222222222222222`)).toBe(0);
      expect(await redis.smembers(`${NS}:jobs:1111111111111111`)).toEqual(["ffffffffffffffffffffffff"]);
    } finally {
      await kiq.stop();
    }
  });

  it("takes fractional seconds: the instance key and the recovery_lock expire in milliseconds", async () => {
    const redis = await freshRedis();
    const kiq = new Kiq({ url: testRedisUrl(), queues: ["unused"], logger: silent }).use(
      tracker({
        mode: "assured",
        instanceId: "4444444444444444",
        heartbeatInterval: 0.5,
        heartbeatTtl: 1.5,
        recoveryInterval: 0.2,
      }),
    );
    await kiq.start();
    try {
      const beat = await redis.pttl(`${NS}:instance:4444444444444444`);
      expect(beat).toBeGreaterThan(1000);
      expect(beat).toBeLessThanOrEqual(1500);
      expect(await redis.pttl(`${NS}:recovery_lock`)).toBeLessThanOrEqual(200);
    } finally {
      await kiq.stop();
    }
  });

  it("a job shutdown pushes back is no longer tracked, so it is not recovered a second time", async () => {
    const redis = await freshRedis();
    let started = false;
    const kiq = new Kiq({ url: testRedisUrl(), timeout: 1, logger: silent })
      .use(tracker({ mode: "assured", trackAll: true, instanceId: "3333333333333333" }))
      .register(
        defineJob("SlowJob", () => {
          started = true;
          return new Promise(() => {}); // ignores its AbortSignal
        }),
      );
    await redis.lpush("queue:default", rubyJob("hung"));
    await kiq.start();
    await until(() => started);
    expect(await redis.smembers(`${NS}:jobs:3333333333333333`)).toEqual(["hung"]);
    await kiq.stop();
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([rubyJob("hung")]);
    expect(await redis.exists(`${NS}:jobs:3333333333333333`)).toBe(0);
    expect(await redis.exists(`${NS}:job:hung`)).toBe(0);
  });

  it("rejects options it does not know and bad values, naming them", () => {
    expect(() => tracker({ mode: "assured", heartbeatTTL: 5 } as never)).toThrow(
      'unknown tracker option "heartbeatTTL"',
    );
    expect(() => tracker({ mode: "both" as never })).toThrow('tracker mode must be "fetch" or "assured"');
    expect(() => tracker({ heartbeatInterval: 60, heartbeatTtl: 30 })).toThrow(
      "must exceed heartbeatInterval",
    );
    expect(() => tracker({ mode: "assured", instanceId: "a:b" })).toThrow("instanceId");
  });
});
