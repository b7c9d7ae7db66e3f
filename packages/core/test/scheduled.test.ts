// The scheduled poller on a real Redis: due jobs reach their queues with every byte but enqueued_at
// kept, unreadable members go to the dead set without stopping it, racing pollers enqueue each job
// exactly once, and start/stop follow Sidekiq's timing.

import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../test/support/redis.js";
import { DEAD_MAX_JOBS, DEAD_TIMEOUT_SECONDS } from "../src/server/dead-set.js";
import {
  initialWait,
  LARGE_FLEET,
  pollInterval,
  ScheduledPoller,
  type ScheduledPollerOptions,
} from "../src/server/scheduled.js";
import { generateJid } from "../src/wire/jid.js";
import { formatFloat } from "../src/wire/json.js";
import { nowMs } from "../src/wire/time.js";
import { vector } from "./vectors.js";

const silent = pino({ level: "silent" });
const RECORDED = { 6: "6.4.1", 7: "7.3.10", 8: "8.1.7" } as const;
const VERSIONS = [6, 7, 8] as const;
/** Never random: no spread in the first wait, pauses of exactly avg/2. */
const NO_JITTER = () => 0;
/** stop() must not wait out a sleep: well under any pause these tests configure. */
const PROMPT_MS = 250;

let redis: Redis;
const extra: Redis[] = [];
const pollers: ScheduledPoller[] = [];
beforeEach(async () => {
  redis = await freshRedis();
});
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
  await Promise.all(extra.splice(0).map((c) => c.quit()));
});
afterAll(closeAll);

/** A connection of its own, as another process would have. */
function connection(): Redis {
  const c = new Redis(testRedisUrl());
  extra.push(c);
  return c;
}

function poller(options: Partial<ScheduledPollerOptions> = {}): ScheduledPoller {
  const p = new ScheduledPoller({ redis, sidekiqVersion: 7, logger: silent, ...options });
  pollers.push(p);
  return p;
}

/** The text of `enqueued_at` in a payload, and the payload with that field taken out. */
function splitEnqueuedAt(payload: string): { enqueuedAt: string | undefined; rest: string } {
  const match = /,"enqueued_at":(-?[0-9.e+-]+)/.exec(payload);
  return { enqueuedAt: match?.[1], rest: match ? payload.replace(match[0], "") : payload };
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(VERSIONS)("moving due jobs, Sidekiq %i format", (version) => {
  const recorded = vector(`recorded/sidekiq-${RECORDED[version]}.json`);
  const scheduledRaw: string = recorded.scheduled_job[0][0];
  const retryRaw: string = recorded.retry_set[0][0];
  // Written by hand, as a foreign producer might: spaces, escapes, 1.50 and 1E3, no queue key.
  const foreignRaw: string = vector("wire-6.4.1/ruby-reencode.json").raw_in_schedule;

  it("pushes the stored bytes with only enqueued_at set, in the version's unit; not-due jobs stay", async () => {
    const now = nowMs();
    const later = `{"retry":true,"queue":"default","class":"Later","args":[1.0],"jid":"${generateJid()}"}`;
    await redis.zadd("schedule", now / 1000 - 10, scheduledRaw, now / 1000 - 1, foreignRaw);
    await redis.zadd("schedule", now / 1000 + 3600, later);
    await redis.zadd("retry", now / 1000 - 5, retryRaw);

    expect(await poller({ sidekiqVersion: version }).enqueueDue(now)).toBe(3);

    const expectedAt = version === 8 ? String(Math.floor(now)) : formatFloat(now / 1000);
    const queued = await redis.lrange("queue:default", 0, -1);
    expect(queued).toHaveLength(3);
    // LPUSH puts the last pushed at the head: retry first, then schedule in score order.
    const [foreign, scheduled, retried] = queued as [string, string, string];
    // A scheduled job has no enqueued_at: it is appended, as Ruby's client appends it.
    expect(scheduled).toBe(`${scheduledRaw.slice(0, -1)},"enqueued_at":${expectedAt}}`);
    // A retry keeps its old enqueued_at key in place; only the value changes.
    expect(splitEnqueuedAt(retried)).toEqual({
      enqueuedAt: expectedAt,
      rest: splitEnqueuedAt(retryRaw).rest,
    });
    expect(foreign).toBe(
      '{"class":"Billing::Charge","args":[1.50, 1E3, 100, "\\u00fc\\/x", {"b":1,"a":2}, 12345678901234567890123],' +
        `"jid":"0123456789abcdef01234567","created_at":1795378342333,"custom":{"z":null},"enqueued_at":${expectedAt}}`,
    );
    expect(expectedAt.includes(".")).toBe(version !== 8);

    expect(await redis.smembers("queues")).toEqual(["default"]);
    expect(await redis.zrange("schedule", 0, -1)).toEqual([later]);
    expect(await redis.zcard("retry")).toBe(0);
    expect(await redis.zcard("dead")).toBe(0);
  });
});

describe("moving due jobs", () => {
  it("uses each job's queue, and default when it has none", async () => {
    const now = nowMs();
    const jobs = {
      billing: `{"queue":"billing","class":"A","args":[],"jid":"${generateJid()}"}`,
      mailers: `{"queue":"mailers","class":"B","args":[],"jid":"${generateJid()}"}`,
      default: `{"class":"C","args":[],"jid":"${generateJid()}"}`,
    };
    for (const raw of Object.values(jobs)) await redis.zadd("schedule", now / 1000 - 1, raw);
    expect(await poller().enqueueDue(now)).toBe(3);
    for (const [queue, raw] of Object.entries(jobs)) {
      const [pushed] = await redis.lrange(`queue:${queue}`, 0, -1);
      expect(splitEnqueuedAt(pushed as string).rest).toBe(raw);
    }
    expect((await redis.smembers("queues")).sort()).toEqual(["billing", "default", "mailers"]);
  });

  it("moves more than a batch, retry before schedule, and leaves a job due a moment later", async () => {
    const now = nowMs();
    const members: (string | number)[] = [];
    for (let i = 0; i < 25; i++) members.push(now / 1000 - i, `{"class":"S","args":[${i}]}`);
    await redis.zadd("schedule", ...members);
    await redis.zadd("retry", now / 1000 - 1, '{"class":"R","args":[]}');
    await redis.zadd("schedule", now / 1000 + 0.5, '{"class":"Soon","args":[]}');
    expect(await poller({ batchSize: 4 }).enqueueDue(now)).toBe(26);
    const queued = await redis.lrange("queue:default", 0, -1);
    expect(JSON.parse(queued.at(-1) as string).class).toBe("R");
    expect(await redis.zrange("schedule", 0, -1)).toEqual(['{"class":"Soon","args":[]}']);
  });
});

describe("unreadable members", () => {
  it("go to the dead set as they are, logged, and the other jobs still move", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "error" }, { write: (line: string) => lines.push(line) });
    const now = nowMs();
    const bad = ["not json {", "[1,2]", '"just a string"', '{"class":"X","args":[],"queue":""}'];
    const good = `{"class":"Echo","args":[1],"jid":"${generateJid()}"}`;
    for (const [i, raw] of bad.entries()) await redis.zadd("schedule", now / 1000 - 10 + i, raw);
    await redis.zadd("schedule", now / 1000 - 1, good);
    await redis.zadd("retry", now / 1000 - 1, "{truncated");

    expect(await poller({ logger }).enqueueDue(now)).toBe(1);

    expect((await redis.zrange("dead", 0, -1)).sort()).toEqual([...bad, "{truncated"].sort());
    expect(Number(await redis.zscore("dead", "not json {"))).toBe(now / 1000);
    expect(splitEnqueuedAt((await redis.lindex("queue:default", 0)) as string).rest).toBe(good);
    expect(await redis.zcard("schedule")).toBe(0);
    expect(await redis.zcard("retry")).toBe(0);
    expect(lines).toHaveLength(5);
    expect(lines.join("\n")).toContain("unreadable job moved from schedule to the dead set");
    expect(lines.join("\n")).toContain('\\"queue\\" is not a non-empty string');
  });

  it("trim the dead set as Sidekiq's morgue does", async () => {
    const now = nowMs();
    const nowS = now / 1000;
    const members: (string | number)[] = [nowS - DEAD_TIMEOUT_SECONDS - 1, "too old"];
    for (let i = 0; i < DEAD_MAX_JOBS; i++) members.push(nowS - 100 + i / DEAD_MAX_JOBS, `dead ${i}`);
    await redis.zadd("dead", ...members);
    await redis.zadd("schedule", nowS - 1, "not json");
    await poller().enqueueDue(now);
    // ZREMRANGEBYRANK dead 0 -10000 keeps 9,999 members, the newest.
    expect(await redis.zcard("dead")).toBe(DEAD_MAX_JOBS - 1);
    expect(await redis.zscore("dead", "too old")).toBeNull();
    expect(await redis.zscore("dead", "dead 0")).toBeNull();
    expect(Number(await redis.zscore("dead", "not json"))).toBe(nowS);
  });

  it("do not stop a running poller", async () => {
    const p = poller({ pollIntervalAverage: 0.02, random: NO_JITTER });
    await redis.zadd("schedule", nowMs() / 1000 - 1, "garbage");
    p.start();
    await eventually(async () => (await redis.zcard("dead")) === 1);
    await redis.zadd("schedule", nowMs() / 1000 - 1, '{"class":"Echo","args":[]}');
    await eventually(async () => (await redis.llen("queue:default")) === 1);
  });
});

describe("racing pollers", () => {
  it("4 pollers and 2 enqueueDue loops on their own connections enqueue 2,000 jobs exactly once", async () => {
    const TOTAL = 2_000;
    const WAVES = 10;
    const queues = ["default", "critical", "low"];
    const jids: string[] = [];
    const racers = [1, 7, 50, 100].map((batchSize) =>
      poller({ redis: connection(), batchSize, pollIntervalAverage: 0.01, random: NO_JITTER }),
    );
    for (const p of racers) p.start();
    let adding = true;
    const loops = [3, 100].map(async (batchSize) => {
      const p = poller({ redis: connection(), batchSize });
      let moved = 0;
      while (adding || (await redis.zcard("schedule")) + (await redis.zcard("retry")) > 0) {
        moved += await p.enqueueDue();
      }
      return moved;
    });
    // Waves keep the sets busy while every racer polls; half the jobs are retries.
    for (let wave = 0; wave < WAVES; wave++) {
      const bySet: Record<string, (string | number)[]> = { retry: [], schedule: [] };
      for (let i = 0; i < TOTAL / WAVES; i++) {
        const jid = generateJid();
        jids.push(jid);
        const raw = `{"retry":true,"queue":"${queues[i % 3]}","class":"Echo","args":[${i},1.0,-0.0],"jid":"${jid}"}`;
        bySet[i % 2 ? "retry" : "schedule"]?.push(nowMs() / 1000 - 1, raw);
      }
      await redis.zadd("retry", ...(bySet.retry as (string | number)[]));
      await redis.zadd("schedule", ...(bySet.schedule as (string | number)[]));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    adding = false;
    const byLoops = await Promise.all(loops);
    await Promise.all(racers.map((p) => p.stop()));

    const counts = new Map<string, number>();
    for (const queue of queues) {
      for (const payload of await redis.lrange(`queue:${queue}`, 0, -1)) {
        const job = JSON.parse(payload);
        expect(job.queue).toBe(queue);
        expect(payload).toContain(",1.0,-0.0]");
        counts.set(job.jid, (counts.get(job.jid) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(TOTAL);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(jids.every((jid) => counts.has(jid))).toBe(true);
    expect(await redis.zcard("schedule")).toBe(0);
    expect(await redis.zcard("retry")).toBe(0);
    expect(await redis.zcard("dead")).toBe(0);
    // Both kinds of racer took part: the loops did not move everything.
    const loopsMoved = byLoops.reduce((sum, n) => sum + n, 0);
    expect(loopsMoved).toBeGreaterThan(0);
    expect(loopsMoved).toBeLessThan(TOTAL);
  });
});

describe("timing", () => {
  it("waits 10 s plus [0, 5) s before the first poll, without the 10 s when an average is set", () => {
    expect(initialWait(undefined, () => 0)).toBe(10);
    expect(initialWait(undefined, () => 0.999)).toBeCloseTo(14.995);
    expect(initialWait(2, () => 0)).toBe(0);
    expect(initialWait(2, () => 0.5)).toBe(2.5);
  });

  it("pauses within ±50% of the average below 10 processes, in [0, 2·avg) from 10", () => {
    expect(pollInterval(5, 1, () => 0)).toBe(2.5);
    expect(pollInterval(5, 1, () => 0.9999)).toBeCloseTo(7.4995);
    expect(pollInterval(45, 9, () => 0.5)).toBe(45);
    expect(pollInterval(50, LARGE_FLEET, () => 0)).toBe(0);
    expect(pollInterval(50, LARGE_FLEET, () => 0.9999)).toBeCloseTo(99.99);
    expect(pollInterval(50, LARGE_FLEET, () => 0.5)).toBe(50);
  });

  it("polls at once with a configured average and again after each pause", async () => {
    const p = poller({ pollIntervalAverage: 0.2, random: NO_JITTER });
    await redis.zadd("schedule", nowMs() / 1000 - 1, '{"class":"A","args":[]}');
    const started = performance.now();
    p.start();
    await eventually(async () => (await redis.llen("queue:default")) === 1);
    expect(performance.now() - started).toBeLessThan(1_000); // not the 10 s initial wait
    await redis.zadd("schedule", nowMs() / 1000 - 1, '{"class":"B","args":[]}');
    await eventually(async () => (await redis.llen("queue:default")) === 2);
  });

  it("stops promptly during the first wait and during a pause", async () => {
    const waiting = poller(); // 10 s + [0, 5) s before its first poll
    waiting.start();
    let started = performance.now();
    await waiting.stop();
    expect(performance.now() - started).toBeLessThan(PROMPT_MS);

    const pausing = poller({ pollIntervalAverage: 60, random: NO_JITTER }); // then sleeps 30 s
    await redis.zadd("schedule", nowMs() / 1000 - 1, '{"class":"A","args":[]}');
    pausing.start();
    await eventually(async () => (await redis.llen("queue:default")) === 1);
    started = performance.now();
    await pausing.stop();
    expect(performance.now() - started).toBeLessThan(PROMPT_MS);
  });

  it("stop() waits for the batch in flight and loses nothing", async () => {
    const TOTAL = 3_000;
    const members: (string | number)[] = [];
    for (let i = 0; i < TOTAL; i++) members.push(nowMs() / 1000 - 1, `{"class":"A","args":[${i}]}`);
    await redis.zadd("schedule", ...members);
    const p = poller({ pollIntervalAverage: 60, random: NO_JITTER, batchSize: 1 });
    p.start();
    await eventually(async () => (await redis.llen("queue:default")) > 0);
    await p.stop();
    const moved = await redis.llen("queue:default");
    expect(moved).toBeLessThan(TOTAL);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await redis.llen("queue:default")).toBe(moved);
    expect(moved + (await redis.zcard("schedule"))).toBe(TOTAL);
  });

  it("prunes processes without a heartbeat after its first wait, once a minute across the fleet", async () => {
    await redis.sadd("processes", "gone:1:abc", "alive:2:def");
    await redis.hset("alive:2:def", "info", "{}");
    poller({ pollIntervalAverage: 1, random: NO_JITTER }).start();
    await eventually(async () => (await redis.scard("processes")) === 1);
    expect(await redis.smembers("processes")).toEqual(["alive:2:def"]);
    const ttl = await redis.ttl("process_cleanup");
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});
