import { definePlugin, Kiq, Payload } from "@kiq/core";
import { heartbeatKey, OrphanRecovery, POISON_PILL_ERROR, tracker, workingList } from "@kiq/tracker";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { rubyJob, silent, until } from "./support.js";

afterAll(closeAll);

const DEAD_ID = "deadhost:4242:0123456789ab";
const LIVE_ID = "livehost:4343:ba9876543210";

function recovery(redis: Redis, identity: string, released: [string, string][] = []): OrphanRecovery {
  return new OrphanRecovery({
    redis,
    identity,
    namespace: "kiq-tracker",
    logger: silent,
    sidekiqVersion: 7,
    maxInterruptions: 3,
    recoveryInterval: 1,
    scanInterval: 1,
    releaseJob: async (payload, reason) => void released.push([payload, reason]),
  });
}

/** A dead process' working list: jobs in it and no heartbeat key. */
async function orphan(redis: Redis, identity: string, queue: string, jobs: string[]): Promise<string> {
  const list = workingList(`queue:${queue}`, identity);
  await redis.lpush(list, ...jobs);
  return list;
}

describe("orphan recovery", () => {
  it("pushes a dead process' jobs back to their queues' fetch end with interrupted_count 1, bytes otherwise kept", async () => {
    const redis = await freshRedis();
    await redis.lpush("queue:default", rubyJob("waiting"));
    await orphan(redis, DEAD_ID, "default", [rubyJob("a"), rubyJob("b")]);
    await orphan(redis, DEAD_ID, "low", [rubyJob("c", "low")]);
    const released: [string, string][] = [];
    expect(await recovery(redis, "me:1:aaaaaaaaaaaa", released).pass()).toEqual({ requeued: 3, buried: 0 });
    // RPUSH: recovered jobs are fetched next, oldest (the list's tail) first.
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([
      rubyJob("waiting"),
      rubyJob("b", "default", ',"interrupted_count":1'),
      rubyJob("a", "default", ',"interrupted_count":1'),
    ]);
    expect(await redis.lrange("queue:low", 0, -1)).toEqual([rubyJob("c", "low", ',"interrupted_count":1')]);
    expect((await redis.smembers("queues")).sort()).toEqual(["default", "low"]);
    expect(await redis.keys("working:*")).toEqual([]);
    // Each job was announced (with the bytes it had) before it went back, for unique-jobs locks.
    expect(released.map(([payload, reason]) => [JSON.parse(payload).jid, reason]).sort()).toEqual([
      ["a", "recovered"],
      ["b", "recovered"],
      ["c", "recovered"],
    ]);
  });

  it("leaves a live process' working list alone", async () => {
    const redis = await freshRedis();
    await redis.set(heartbeatKey(LIVE_ID), "1", "EX", 60);
    const list = await orphan(redis, LIVE_ID, "default", [rubyJob("busy")]);
    expect(await recovery(redis, "me:1:aaaaaaaaaaaa").pass()).toEqual({ requeued: 0, buried: 0 });
    expect(await redis.lrange(list, 0, -1)).toEqual([rubyJob("busy")]);
  });

  it("runs one pass per interval across the fleet (the lock), and finds registered lists without SCAN", async () => {
    const redis = await freshRedis();
    const first = recovery(redis, "me:1:aaaaaaaaaaaa");
    expect(await first.pass()).toEqual({ requeued: 0, buried: 0 });
    await orphan(redis, DEAD_ID, "default", [rubyJob("a")]);
    expect(await recovery(redis, "other:2:bbbbbbbbbbbb").pass()).toEqual({ requeued: 0, buried: 0 });
    expect(await redis.ttl("kiq-tracker:recovery-lock")).toBeGreaterThan(0);
    await redis.del("kiq-tracker:recovery-lock");
    await redis.set("kiq-tracker:scan-lock", "x", "EX", 60); // no SCAN this time…
    expect(await first.pass()).toEqual({ requeued: 0, buried: 0 });
    await first.register([workingList("queue:default", DEAD_ID)]); // …but the registry names it
    await redis.del("kiq-tracker:recovery-lock");
    expect(await first.pass()).toEqual({ requeued: 1, buried: 0 });
    expect(await redis.smembers("kiq-tracker:working-lists")).toEqual([]);
  });

  it("buries a poison pill in the dead set with a clear error once it reaches the limit", async () => {
    const redis = await freshRedis();
    const poison = rubyJob("poison", "default", ',"interrupted_count":2');
    const own = rubyJob("patient", "default", ',"max_retries_after_interruption":5,"interrupted_count":2');
    await orphan(redis, DEAD_ID, "default", [poison, own]);
    const released: [string, string][] = [];
    expect(await recovery(redis, "me:1:aaaaaaaaaaaa", released).pass()).toEqual({ requeued: 1, buried: 1 });
    const [dead, score] = await redis.zrange("dead", 0, -1, "WITHSCORES");
    expect(Number(score)).toBeCloseTo(Date.now() / 1000, -1);
    const item = Payload.parse(dead as string).item;
    expect(item).toMatchObject({ jid: "poison", interrupted_count: 3, error_class: POISON_PILL_ERROR });
    expect(item.error_message).toBe(
      "its process died 3 times while running it (interrupted_count 3, limit 3); not run again",
    );
    expect(typeof item.failed_at).toBe("number");
    expect(
      dead?.startsWith(poison.slice(0, -1).replace('"interrupted_count":2', '"interrupted_count":3')),
    ).toBe(true);
    // Its own max_retries_after_interruption (5) wins over the default.
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([
      own.replace('"interrupted_count":2', '"interrupted_count":3'),
    ]);
    expect(released.map(([p, r]) => [JSON.parse(p).jid, r]).sort()).toEqual([
      ["patient", "recovered"],
      ["poison", "dead"],
    ]);
    expect(await redis.keys("working:*")).toEqual([]);
  });

  it("recovers each job exactly once when several recoverers race", async () => {
    const redis = await freshRedis();
    const jobs = Array.from({ length: 400 }, (_, i) => rubyJob(`j${i}`));
    const orphanList = await orphan(redis, DEAD_ID, "default", jobs);
    // Bypass the lock: every recoverer empties the same list at the same time.
    const recoverers = Array.from({ length: 4 }, (_, i) =>
      recovery(redis.duplicate(), `r${i}:1:00000000000${i}`),
    );
    const reports = await Promise.all(recoverers.map((r) => r.recoverList(orphanList, "queue:default")));
    expect(reports.reduce((n, r) => n + r.requeued, 0)).toBe(400);
    expect(reports.filter((r) => r.requeued > 0).length).toBeGreaterThan(1);
    const queue = await redis.lrange("queue:default", 0, -1);
    expect(queue.length).toBe(400);
    expect(new Set(queue.map((j) => JSON.parse(j).jid)).size).toBe(400);
    expect(queue.every((j) => j.endsWith(',"interrupted_count":1}'))).toBe(true);
    expect(await redis.keys("working:*")).toEqual([]);
  });

  it("a worker recovers a dead process' jobs at startup, announcing each before it is pushed, and runs them", async () => {
    const redis = await freshRedis();
    await orphan(redis, DEAD_ID, "default", [rubyJob("a"), rubyJob("b")]);
    const ran: [string, unknown][] = [];
    const released: [string, string, number][] = [];
    // What a lock-holding plugin (unique-jobs) sees: the job, not yet back in its queue.
    const listener = definePlugin("listener", (host) => {
      host.onJobReleased(async (payload, reason) => {
        released.push([JSON.parse(payload).jid, reason, await redis.llen("queue:default")]);
      });
    });
    const kiq = new Kiq({ url: testRedisUrl(), logger: silent }).use(listener).use(tracker());
    kiq.register({
      className: "SlowJob",
      options: {},
      perform: (ctx) => void ran.push([ctx.jid, ctx.item.interrupted_count]),
    });
    await kiq.start();
    try {
      await until(() => ran.length === 2);
    } finally {
      await kiq.stop();
    }
    expect(ran.sort()).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
    expect(released).toEqual([
      ["b", "recovered", 0],
      ["a", "recovered", 1],
    ]);
  });

  it("a running worker notices a process whose heartbeat expired and recovers its jobs", async () => {
    const redis = await freshRedis();
    const ran: string[] = [];
    const kiq = new Kiq({ url: testRedisUrl(), logger: silent }).use(tracker({ recoveryInterval: 1 }));
    kiq.register({ className: "SlowJob", options: {}, perform: (ctx) => void ran.push(ctx.jid) });
    await redis.set(heartbeatKey(LIVE_ID), "1", "PX", 1500);
    const list = await orphan(redis, LIVE_ID, "default", [rubyJob("late")]);
    await redis.sadd("kiq-tracker:working-lists", list); // as that kiq process did at its startup
    await kiq.start();
    try {
      await new Promise((r) => setTimeout(r, 1000));
      expect(ran).toEqual([]);
      await until(() => ran.length === 1, 5000);
    } finally {
      await kiq.stop();
    }
    expect(ran).toEqual(["late"]);
  });

  it("takes fractional seconds: the liveness key and the recovery lock expire in milliseconds", async () => {
    const redis = await freshRedis();
    const ran: string[] = [];
    const kiq = new Kiq({ url: testRedisUrl(), logger: silent }).use(
      tracker({ heartbeatInterval: 0.5, heartbeatTtl: 1.5, recoveryInterval: 0.2 }),
    );
    kiq.register({ className: "SlowJob", options: {}, perform: (ctx) => void ran.push(ctx.jid) });
    await redis.sadd("kiq-tracker:working-lists", await orphan(redis, DEAD_ID, "default", [rubyJob("lost")]));
    await kiq.start();
    try {
      const beat = await redis.pttl(heartbeatKey(kiq.identity));
      expect(beat).toBeGreaterThan(1000);
      expect(beat).toBeLessThanOrEqual(1500);
      expect(await redis.pttl("kiq-tracker:recovery-lock")).toBeLessThanOrEqual(200);
      await until(() => ran.length === 1);
    } finally {
      await kiq.stop();
    }
    expect(ran).toEqual(["lost"]);
  });
});
