// The API (Stats, Queue, the schedule/retry/dead sets, ProcessSet, Workers) on a real Redis: what it
// reads from data Ruby recorded and kiq wrote, and what its writes leave behind, byte for byte.

import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../test/support/redis.js";
import { DeadSet } from "../src/api/dead-set.js";
import { ProcessSet } from "../src/api/process-set.js";
import { Queue } from "../src/api/queue.js";
import { RetrySet } from "../src/api/retry-set.js";
import { ScheduledSet } from "../src/api/scheduled-set.js";
import { Stats } from "../src/api/stats.js";
import { Workers } from "../src/api/workers.js";
import { Client } from "../src/client/client.js";
import { MalformedPayloadError } from "../src/errors.js";
import { DEAD_MAX_JOBS } from "../src/server/dead-set.js";
import { Heartbeat } from "../src/server/heartbeat.js";
import { ScheduledPoller } from "../src/server/scheduled.js";
import { ProcessStats } from "../src/server/stats.js";
import { encodeBacktrace } from "../src/wire/backtrace.js";
import { generateJid } from "../src/wire/jid.js";
import { formatFloat } from "../src/wire/json.js";
import { vector } from "./vectors.js";

const RECORDED = { 6: "6.4.1", 7: "7.3.10", 8: "8.1.7" } as const;
const VERSIONS = [6, 7, 8] as const;

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});
afterAll(closeAll);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The jid of job(n). */
const jidOf = (n: number): string => n.toString(16).padStart(24, "0");

/** A job string as Ruby's client writes it (Float seconds); `n` goes in args and picks the jid. */
function job(n: number, extra = ""): string {
  const jid = jidOf(n);
  return `{"retry":true,"queue":"default","class":"Echo","args":[${n},1.0],"jid":"${jid}","created_at":1795374793.5${extra}}`;
}

/** The payload with enqueued_at taken out, and that field's text. */
function splitEnqueuedAt(payload: string): { enqueuedAt: string | undefined; rest: string } {
  const match = /,"enqueued_at":([0-9.e+-]+)/.exec(payload);
  return { enqueuedAt: match?.[1], rest: match ? payload.replace(match[0], "") : payload };
}

describe("Stats", () => {
  it("reads counters, set sizes, queue sizes, busy and the default queue's latency", async () => {
    const enqueuedAt = Date.now() / 1000 - 30;
    await redis
      .multi()
      .set("stat:processed", "120")
      .set("stat:failed", "7")
      .zadd("schedule", 1, job(1), 2, job(2))
      .zadd("retry", 1, job(3))
      .zadd("dead", 1, job(4), 2, job(5), 3, job(6))
      .sadd("processes", "a:1:x", "b:2:y")
      .hset("a:1:x", "busy", "2")
      .hset("b:2:y", "busy", "3")
      .sadd("queues", "default", "billing", "10", "empty")
      // The tail is the oldest: latency is measured from it.
      .lpush("queue:default", job(7, `,"enqueued_at":${formatFloat(enqueuedAt)}`), job(8, `,"enqueued_at":1`))
      .lpush("queue:billing", job(9), job(10), job(11))
      .lpush("queue:10", job(12), job(13))
      .exec();
    const stats = await new Stats({ redis }).fetch();
    expect(stats).toEqual({
      processed: 120,
      failed: 7,
      scheduledSize: 2,
      retrySize: 1,
      deadSize: 3,
      processesSize: 2,
      defaultQueueLatency: expect.closeTo(30, 0),
      enqueued: 7,
      workersSize: 5,
    });
    // Largest first; a Map keeps that order even for a queue named "10".
    expect([...(await new Stats({ redis }).queues())]).toEqual([
      ["billing", 3],
      ["10", 2],
      ["default", 2],
      ["empty", 0],
    ]);
  });

  it("answers zeros on an empty Redis, and latency in milliseconds (8.x) as in seconds", async () => {
    expect(await new Stats({ redis }).fetch()).toMatchObject({
      processed: 0,
      defaultQueueLatency: 0,
      enqueued: 0,
    });
    await redis.lpush("queue:default", job(1, `,"enqueued_at":${Math.floor(Date.now() - 12_000)}`));
    expect((await new Stats({ redis }).fetch()).defaultQueueLatency).toBeCloseTo(12, 0);
  });

  it("history: per UTC day back from the start date, 0 for missing days; reset zeroes the totals", async () => {
    await redis.mset({
      "stat:processed:2026-01-03": "10",
      "stat:processed:2026-01-01": "4",
      "stat:failed:2026-01-02": "2",
      "stat:failed:2025-12-31": "9",
      "stat:processed": "99",
      "stat:failed": "5",
    });
    const stats = new Stats({ redis });
    const expected = {
      processed: { "2026-01-03": 10, "2026-01-02": 0, "2026-01-01": 4 },
      failed: { "2026-01-03": 0, "2026-01-02": 2, "2026-01-01": 0 },
    };
    expect(await stats.history(3, "2026-01-03")).toEqual(expected);
    expect(await stats.history(3, new Date(Date.UTC(2026, 0, 3, 23, 59)))).toEqual(expected);
    expect(Object.keys((await stats.history(2)).processed)).toEqual([
      new Date().toISOString().slice(0, 10),
      new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
    ]);
    await expect(stats.history(0)).rejects.toThrow(/1 to 1825 days/);
    await expect(stats.history(1826)).rejects.toThrow(/1 to 1825 days/);

    await stats.reset("failed");
    expect(await redis.mget("stat:processed", "stat:failed")).toEqual(["99", "0"]);
    await stats.reset();
    expect(await redis.mget("stat:processed", "stat:failed")).toEqual(["0", "0"]);
  });
});

describe("Queue", () => {
  it("all() sorts names as Ruby does; size, latency, newest-first pages, findJob", async () => {
    await redis.sadd("queues", "b", "a", "\u{1F600}", "\uFFFD");
    expect((await Queue.all({ redis })).map((q) => q.name)).toEqual(["a", "b", "\uFFFD", "\u{1F600}"]);

    const jobs = Array.from({ length: 120 }, (_, i) => job(i));
    await redis.lpush("queue:default", ...jobs); // job(119) is the head: the newest
    const queue = new Queue({ redis });
    expect(await queue.size()).toBe(120);
    const read = await collect(queue);
    expect(read.map((r) => r.value)).toEqual([...jobs].reverse());
    expect(read[0]?.queue).toBe("default");
    expect(read[0]?.args).toEqual([119, 1]);
    expect(read[0]?.createdAt).toEqual(new Date(1795374793500));

    const found = await queue.findJob(jidOf(42));
    expect(found?.value).toBe(job(42));
    expect(await queue.findJob("0123456789abcdef01234567")).toBeNull();
    expect(await new Queue({ redis }, "none").latency()).toBe(0);
  });

  it("iterating while deleting every job visits each one; delete() removes one exact string", async () => {
    const jobs = Array.from({ length: 120 }, (_, i) => job(i));
    await redis.lpush("queue:default", ...jobs);
    const queue = new Queue({ redis });
    let deleted = 0;
    for await (const record of queue) if (await record.delete()) deleted++;
    expect(deleted).toBe(120);
    expect(await queue.size()).toBe(0);

    await redis.lpush("queue:default", job(1), job(1), `${job(1)} `);
    const [first] = await collect(queue);
    expect(await first?.delete()).toBe(true);
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([job(1), job(1)]);
  });

  it("reads jobs losslessly; an unreadable one is its own only arg; clear() forgets the queue", async () => {
    const big = `{"class":"Echo","args":[12345678901234567890,-0.0],"jid":"${generateJid()}","enqueued_at":1795374793899}`;
    await redis.sadd("queues", "default");
    await redis.lpush("queue:default", big, "not json");
    const [bad, good] = await collect(new Queue({ redis }));
    expect(good?.args).toEqual([12345678901234567890n, -0]);
    expect(good?.enqueuedAt).toEqual(new Date(1795374793899));
    expect(bad?.readable).toBe(false);
    expect(bad?.args).toEqual(["not json"]);
    expect(bad?.item).toEqual({});

    await new Queue({ redis }).clear();
    expect(await redis.exists("queue:default")).toBe(0);
    expect(await redis.smembers("queues")).toEqual([]);
  });
});

describe("JobRecord", () => {
  it("shows the class the Web UI shows, the tags and the backtrace frames", async () => {
    const wrapper = (className: string, extra: string) =>
      `{"class":"${className}","args":[{"job_class":"SendInvoice","arguments":["Mailer","welcome","deliver_now",{"args":[1]}]}]${extra}}`;
    await redis.rpush(
      "queue:default",
      wrapper("ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper", ',"wrapped":"SendInvoice"'),
      wrapper("Sidekiq::ActiveJob::Wrapper", ',"wrapped":"ActionMailer::MailDeliveryJob"'),
      wrapper("::Sidekiq::ActiveJob::Wrapper", ',"wrapped":"SendInvoice"'),
      '{"class":"Echo","args":[],"display_class":"Shown","tags":["a","b"]}',
      `{"class":"Echo","args":[],"error_backtrace":${JSON.stringify(encodeBacktrace(["a.rb:1", "b.rb:2"], 6))}}`,
    );
    const records = await collect(new Queue({ redis })); // RPUSH: head to tail in push order
    expect(records.map((r) => r.displayClass)).toEqual([
      "SendInvoice",
      "Mailer#welcome",
      "::Sidekiq::ActiveJob::Wrapper", // Ruby compares the class name exactly
      "Shown",
      "Echo",
    ]);
    expect(records[3]?.tags).toEqual(["a", "b"]);
    expect(records[4]?.errorBacktrace).toEqual(["a.rb:1", "b.rb:2"]);
    expect(records[0]?.errorBacktrace).toBeUndefined();
  });
});

describe.each(VERSIONS)("sorted sets, Sidekiq %i data and format", (version) => {
  const recorded = vector(`recorded/sidekiq-${RECORDED[version]}.json`);
  const retryRaw: string = recorded.retry_set[0][0];
  const deadRaw: string = recorded.dead_set[0][0];
  const retryCount = (raw: string) => Number(/"retry_count":(-?\d+)/.exec(raw)?.[1]);

  it("retry(): onto its queue with retry_count one lower and a new enqueued_at, nothing else changed", async () => {
    await redis.zadd("retry", 1795374815.5, retryRaw, 1795374816, job(1));
    const before = Date.now();
    const entry = await new RetrySet({ redis, sidekiqVersion: version }).findJob(
      (JSON.parse(retryRaw) as { jid: string }).jid,
    );
    expect(entry?.score).toBe(1795374815.5);
    expect(entry?.value).toBe(retryRaw);
    expect(await entry?.retry()).toBe(true);
    expect(await entry?.retry()).toBe(false); // already gone

    expect(await redis.zrange("retry", 0, -1)).toEqual([job(1)]);
    expect(await redis.smembers("queues")).toEqual(["default"]);
    const [pushed] = await redis.lrange("queue:default", 0, -1);
    const { enqueuedAt, rest } = splitEnqueuedAt(pushed as string);
    expect(rest).toBe(splitEnqueuedAt(retryRaw.replace(/"retry_count":0/, '"retry_count":-1')).rest);
    expect(retryCount(pushed as string)).toBe(-1); // Ruby: `retry_count -= 1 if retry_count`, 0 too
    expect(enqueuedAt).toMatch(version === 8 ? /^\d{13}$/ : /^\d{10}\.\d+$/);
    const enqueuedMs = version === 8 ? Number(enqueuedAt) : Number(enqueuedAt) * 1000;
    expect(enqueuedMs).toBeGreaterThanOrEqual(before - 1);
    expect(enqueuedMs).toBeLessThanOrEqual(Date.now() + 1);
  });

  it("addToQueue() keeps retry_count; kill() moves the stored string to the dead set; delete()", async () => {
    await redis.zadd("schedule", 1795374815, retryRaw);
    const [scheduled] = await collect(new ScheduledSet({ redis, sidekiqVersion: version }));
    expect(await scheduled?.addToQueue()).toBe(true);
    const [pushed] = await redis.lrange("queue:default", 0, -1);
    expect(splitEnqueuedAt(pushed as string).rest).toBe(splitEnqueuedAt(retryRaw).rest);

    await redis.zadd("retry", 1795374815, retryRaw);
    const [retry] = await collect(new RetrySet({ redis }));
    const before = Date.now() / 1000;
    expect(await retry?.kill()).toBe(true);
    expect(await retry?.kill()).toBe(false);
    expect(await redis.zcard("retry")).toBe(0);
    const [dead, score] = await redis.zrange("dead", 0, -1, "WITHSCORES");
    expect(dead).toBe(retryRaw);
    expect(Number(score)).toBeGreaterThanOrEqual(before - 0.01);

    const [deadEntry] = await collect(new DeadSet({ redis }));
    expect(deadEntry?.error).toBe(true);
    expect(await deadEntry?.delete()).toBe(true);
    expect(await deadEntry?.delete()).toBe(false);
    expect(await redis.zcard("dead")).toBe(0);
  });

  it("retryAll() and killAll() move everything they can; unreadable members stay", async () => {
    const members = Array.from({ length: 250 }, (_, i) => job(i, `,"retry_count":${i % 3}`));
    await redis.zadd("retry", ...members.flatMap((m, i) => [i, m]), 300, "not json", 301, deadRaw);
    const retries = new RetrySet({ redis, sidekiqVersion: version });
    expect(await retries.retryAll()).toBe(251);
    expect(await redis.zrange("retry", 0, -1)).toEqual(["not json"]);
    const queued = await redis.lrange("queue:default", 0, -1);
    expect(queued).toHaveLength(251);
    // Lowest score first: the first pushed is deepest in the list.
    expect(retryCount(queued.at(-1) as string)).toBe(-1);
    expect(retryCount(queued.at(-2) as string)).toBe(0);

    await redis.zadd("retry", ...members.slice(0, 120).flatMap((m, i) => [i, m]));
    expect(await retries.killAll()).toBe(121);
    expect(await redis.zcard("retry")).toBe(0);
    expect(await redis.zcard("dead")).toBe(121);
    expect(await redis.zscore("dead", "not json")).not.toBeNull();

    const dead = new DeadSet({ redis, sidekiqVersion: version });
    expect(await dead.retryAll()).toBe(120);
    expect(await redis.zrange("dead", 0, -1)).toEqual(["not json"]);
  });

  it("an unreadable entry cannot be retried: it throws and stays", async () => {
    await redis.zadd("dead", 5, "not json", 6, '{"class":"X","args":[],"queue":""}');
    for (const entry of await collect(new DeadSet({ redis, sidekiqVersion: version }))) {
      await expect(entry.retry()).rejects.toThrow(MalformedPayloadError);
    }
    expect(await redis.zcard("dead")).toBe(2);
  });
});

describe("sorted sets", () => {
  it("iterates highest score first in pages, keeping its place while entries are deleted", async () => {
    const members = Array.from({ length: 130 }, (_, i) => job(i));
    await redis.zadd("retry", ...members.flatMap((m, i) => [1795374800 + i, m]));
    const retries = new RetrySet({ redis });
    expect(await retries.size()).toBe(130);
    const read = await collect(retries);
    expect(read.map((e) => e.value)).toEqual([...members].reverse());
    expect(read[0]?.score).toBe(1795374929);
    expect(read[0]?.at).toEqual(new Date(1795374929000));

    let deleted = 0;
    for await (const entry of retries) if (await entry.delete()) deleted++;
    expect(deleted).toBe(130);
    expect(await retries.size()).toBe(0);
  });

  it("scan, fetch by score and jid, findJob, clear", async () => {
    await redis.zadd("schedule", 10, job(1), 10, job(2), 20, '{"class":"Other","args":[]}');
    const scheduled = new ScheduledSet({ redis });
    expect((await collect(scheduled.scan("Echo"))).map((e) => e.value).sort()).toEqual([job(1), job(2)]);
    expect((await collect(scheduled.scan("*Other*"))).map((e) => e.score)).toEqual([20]);
    expect((await scheduled.fetch(10)).map((e) => e.value)).toEqual([job(1), job(2)]);
    const jid2 = jidOf(2);
    expect((await scheduled.fetch([0, 15], jid2)).map((e) => e.value)).toEqual([job(2)]);
    expect((await scheduled.findJob(jid2))?.value).toBe(job(2));
    expect(await scheduled.findJob(generateJid())).toBeNull();
    await scheduled.clear();
    expect(await redis.exists("schedule")).toBe(0);
  });

  it("a job retried by the API and due for the poller at once is pushed exactly once", async () => {
    const members = Array.from({ length: 200 }, (_, i) => job(i));
    await redis.zadd("retry", ...members.flatMap((m, i) => [i, m]));
    const other = new Redis(testRedisUrl());
    try {
      const poller = new ScheduledPoller({
        redis: other,
        sidekiqVersion: 7,
        logger: pino({ level: "silent" }),
      });
      const entries = await collect(new RetrySet({ redis, sidekiqVersion: 7 }));
      const [byPoller, byApi] = await Promise.all([
        poller.enqueueDue(),
        Promise.all(entries.map((e) => e.retry())).then((done) => done.filter(Boolean).length),
      ]);
      expect(byPoller + byApi).toBe(200);
      expect(await redis.llen("queue:default")).toBe(200);
    } finally {
      other.disconnect();
    }
  });

  it("DeadSet#kill adds a string as it is or a job hash as Ruby writes it, trimmed to 9,999", async () => {
    const dead = new DeadSet({ redis });
    // Recent deaths (the age trim keeps them), so only the rank trim applies.
    const recent = Date.now() / 1000 - 3600;
    const filler = Array.from({ length: DEAD_MAX_JOBS }, (_, i) => [recent + i / 100, job(i)]).flat();
    await redis.zadd("dead", ...filler);
    await dead.kill({ class: "Echo", args: [1.5, 12345678901234567890n], jid: "abc" });
    expect(await redis.zcard("dead")).toBe(DEAD_MAX_JOBS - 1);
    const [newest] = await redis.zrange("dead", -1, -1);
    expect(newest).toBe('{"class":"Echo","args":[1.5,12345678901234567890],"jid":"abc"}');

    await dead.kill("raw string", { trim: false });
    expect(await redis.zcard("dead")).toBe(DEAD_MAX_JOBS);
    await dead.trim();
    expect(await redis.zcard("dead")).toBe(DEAD_MAX_JOBS - 1);
  });
});

describe.each(VERSIONS)("ProcessSet and Workers read Sidekiq %i processes", (version) => {
  const recorded = vector(`recorded/sidekiq-${RECORDED[version]}.json`);
  const identity: string = recorded.processes_set[0];
  const hash: Record<string, string> = recorded.process_hash;
  const work: Record<string, string> = recorded.process_work_hash;
  const workKey = (recorded.process_work_key as string).replace("<identity>", identity);

  it("lists the process as Ruby's API does and reads its running job", async () => {
    await redis.sadd("processes", identity, "gone:1:abc");
    await redis.hset(identity, hash);
    await redis.hset(workKey, work);
    const processes = new ProcessSet({ redis });
    expect(await processes.size()).toBe(2);
    const [process, ...others] = await processes.list();
    expect(others).toEqual([]);
    expect(await redis.smembers("processes")).toEqual([identity]); // pruned
    expect(process).toMatchObject({
      identity,
      hostname: "vm",
      pid: Number(identity.split(":")[1]),
      tag: "vectors",
      labels: [],
      queues: ["default"],
      concurrency: 3,
      busy: 1,
      beat: Number(hash.beat),
      stopping: false,
      rss: Number(hash.rss),
      version: version === 6 ? undefined : RECORDED[version],
      embedded: false,
    });
    expect(await processes.totalConcurrency()).toBe(3);
    expect(await processes.totalRss()).toBe(Number(hash.rss));
    expect((await processes.get(identity))?.identity).toBe(identity);
    expect(await processes.get("gone:1:abc")).toBeNull();

    const workers = new Workers({ redis });
    const [running] = await workers.list();
    const [tid, json] = Object.entries(work)[0] as [string, string];
    const stored = JSON.parse(json) as { payload: string; run_at: number };
    expect(running).toMatchObject({ identity, tid, queue: "default", payload: stored.payload });
    expect(running?.runAt).toEqual(new Date(stored.run_at * 1000));
    expect(running?.job.className).toBe("VecSlow");
    expect(await workers.size()).toBe(1);
    expect((await workers.findWork(running?.job.jid as string))?.tid).toBe(tid);
    expect(await workers.findWork(generateJid())).toBeNull();
  });
});

describe("ProcessSet and Workers", () => {
  it("read kiq's own heartbeat; quiet()/stop() leave Sidekiq's signals for it", async () => {
    const identity = "node-host:4242:0123456789ab";
    const stats = new ProcessStats();
    const payload = job(5);
    const heartbeat = new Heartbeat({
      redis,
      sidekiqVersion: 6,
      identity,
      info: {
        hostname: "node-host",
        startedAt: 1795374790.25,
        pid: 4242,
        tag: "app",
        concurrency: 7,
        queues: ["critical", "default"],
        weights: {},
        labels: ["blue"],
        identity,
      },
      stats,
      running: () => [{ tid: "s1", queue: "critical", payload, runAt: 1795374795 }],
      isQuiet: () => false,
      onSignal: () => {},
    });
    await heartbeat.beat();
    const [process] = await new ProcessSet({ redis }).list();
    expect(process).toMatchObject({
      identity,
      hostname: "node-host",
      pid: 4242,
      tag: "app",
      labels: ["blue", "kiq"],
      queues: ["critical", "default"],
      concurrency: 7,
      busy: 1,
      startedAt: 1795374790.25,
    });
    // 6.x format: both running-jobs hashes are written; the job shows once.
    expect(await new Workers({ redis }).list()).toEqual([
      expect.objectContaining({ identity, tid: "s1", queue: "critical", payload }),
    ]);

    await process?.quiet();
    await process?.stop();
    expect(await redis.lrange(`${identity}-signals`, 0, -1)).toEqual(["TERM", "TSTP"]);
    expect(await redis.ttl(`${identity}-signals`)).toBeGreaterThan(55);
  });

  it("8.1.2+ concurrency field wins over info; capsules give the queues; embedded ones refuse signals", async () => {
    const info = (id: string, extra: object) =>
      JSON.stringify({
        hostname: "h",
        started_at: 1.5,
        pid: 1,
        tag: "",
        concurrency: 4,
        queues: ["q"],
        labels: [],
        identity: id,
        ...extra,
      });
    await redis.sadd("processes", "a:1:1", "b:1:1");
    await redis.hset("a:1:1", {
      info: info("a:1:1", {
        capsules: {
          default: { concurrency: 9, mode: "weighted", weights: { x: 2, y: 1 } },
          c2: { weights: { z: 0, x: 1 } },
        },
      }),
      concurrency: "9",
      rss: "100",
    });
    await redis.hset("b:1:1", { info: info("b:1:1", { embedded: true }), quiet: "true", rss: "50" });
    const processes = new ProcessSet({ redis });
    const [a, b] = await processes.list();
    expect(a).toMatchObject({ concurrency: 9, queues: ["x", "y", "z"] });
    expect(b).toMatchObject({ concurrency: 4, queues: ["q"], stopping: true, embedded: true });
    expect(await processes.totalConcurrency()).toBe(13);
    expect(await processes.totalRss()).toBe(150);
    await expect(b?.stop()).rejects.toThrow(/embedded/);
    expect(await redis.exists("b:1:1-signals")).toBe(0);
  });

  it("Workers: sorted by run_at across processes, payload as an object read too, empty values skipped", async () => {
    await redis.sadd("processes", "a:1:1", "b:1:1");
    await redis.hset("a:1:1", { info: "{}", busy: "2" });
    await redis.hset("b:1:1", { info: "{}", busy: "1" });
    await redis.hset("a:1:1:work", {
      t1: `{"queue":"q","payload":${JSON.stringify(job(1))},"run_at":1795374800}`,
      t2: "",
    });
    await redis.hset("b:1:1:work", {
      t9: `{"queue":"q","payload":{"class":"Obj","args":[12345678901234567890]},"run_at":1795374700}`,
    });
    const workers = new Workers({ redis });
    const list = await workers.list();
    expect(list.map((w) => w.tid)).toEqual(["t9", "t1"]);
    expect(list[0]?.payload).toBe('{"class":"Obj","args":[12345678901234567890]}');
    expect(list[0]?.job.args).toEqual([12345678901234567890n]);
    expect(await workers.size()).toBe(3);
  });
});

describe("sources", () => {
  it("takes a Client (its version) or { redis } (the fleet's version, else 7)", async () => {
    await redis.zadd("retry", 1, job(1), 2, job(2));
    const client = new Client({ redis, sidekiqVersion: 8 });
    await (await new RetrySet(client).findJob(jidOf(1)))?.retry();
    const [fromClient] = await redis.lrange("queue:default", 0, -1);
    expect(splitEnqueuedAt(fromClient as string).enqueuedAt).toMatch(/^\d{13}$/);

    await (await new RetrySet({ redis }).findJob(jidOf(2)))?.retry();
    const [detected] = await redis.lrange("queue:default", 0, 0);
    expect(splitEnqueuedAt(detected as string).enqueuedAt).toMatch(/^\d{10}\.\d+$/);
    expect(() => new Stats({ redis, sidekiqVersion: 5 as never })).toThrow(/6, 7, 8/);
  });
});
