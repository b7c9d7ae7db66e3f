// What kiq's heartbeat writes, compared field by field with what real Ruby Sidekiq 6.4.1, 7.3.10
// and 8.1.7 wrote for the same process (vectors recorded from Ruby), plus the beat's own behaviour:
// stats flushing and restoring, signals, first-beat detection, clearing at exit.

import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../test/support/redis.js";
import { BEAT_PAUSE, Heartbeat, type HeartbeatOptions } from "../src/server/heartbeat.js";
import { capsuleMode, infoJson, type ProcessInfo } from "../src/server/process-info.js";
import { ProcessStats, STATS_TTL } from "../src/server/stats.js";
import type { Work } from "../src/server/work.js";
import { KIQ_VERSION } from "../src/version.js";
import type { SidekiqVersion } from "../src/wire/types.js";
import { vector } from "./vectors.js";

const silent = pino({ level: "silent" });
const RECORDED = { 6: "6.4.1", 7: "7.3.10", 8: "8.1.7" } as const;
const VERSIONS = [6, 7, 8] as const;

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});
afterAll(closeAll);

interface Recorded {
  identity: string;
  hash: Record<string, string>;
  info: string;
  infoParsed: Record<string, unknown>;
  workKey: string;
  work: Record<string, string>;
  keys: string[];
  processInfo: ProcessInfo;
  running: Work[];
}

/** The recorded Ruby process, and the same process described to kiq. */
function recorded(version: SidekiqVersion): Recorded {
  const data = vector(`recorded/sidekiq-${RECORDED[version]}.json`);
  const identity: string = data.processes_set[0];
  const hash: Record<string, string> = data.process_hash;
  const info = hash.info as string;
  const infoParsed = JSON.parse(info);
  const work: Record<string, string> = data.process_work_hash;
  const running = Object.entries(work).map(([tid, json]) => {
    const parsed = JSON.parse(json);
    return { tid, queue: parsed.queue, payload: parsed.payload, runAt: parsed.run_at };
  });
  // Ruby's started_at as text, so kiq's Float#to_s of the same double can be compared byte for byte.
  const startedAt = Number((/"started_at":([^,]+)/.exec(info) as RegExpExecArray)[1]);
  return {
    identity,
    hash,
    info,
    infoParsed,
    workKey: (data.process_work_key as string).replace("<identity>", identity),
    work,
    keys: data.keys,
    running,
    processInfo: {
      hostname: infoParsed.hostname,
      startedAt,
      pid: infoParsed.pid,
      tag: infoParsed.tag,
      concurrency: 3, // every recording ran with -c 3
      queues: infoParsed.queues,
      weights: { default: 0 },
      labels: infoParsed.labels,
      identity,
    },
  };
}

function heartbeat(version: SidekiqVersion, overrides: Partial<HeartbeatOptions> = {}): Heartbeat {
  const rec = recorded(version);
  return new Heartbeat({
    redis,
    sidekiqVersion: version,
    identity: rec.identity,
    info: rec.processInfo,
    stats: new ProcessStats(),
    running: () => rec.running,
    isQuiet: () => false,
    onSignal: () => {},
    logger: silent,
    ...overrides,
  });
}

/** The info Ruby wrote, with kiq's additions: the "kiq" label, a kiq version, info.concurrency on 8. */
function expectedInfo(version: SidekiqVersion, rubyInfo: string): string {
  let info = rubyInfo.replace('"labels":[]', '"labels":["kiq"]');
  if (version !== 6) info = info.replace(/"version":"([^"]+)"/, `"version":"$1+kiq.${KIQ_VERSION}"`);
  if (version === 8) info = info.replace('"tag":"vectors",', '"tag":"vectors","concurrency":3,');
  return info;
}

describe.each(VERSIONS)("heartbeat in Sidekiq %i format", (version) => {
  it("writes the process hash Ruby writes: same fields, same types, info in Ruby's key order", async () => {
    const rec = recorded(version);
    await heartbeat(version).beat();

    const hash = await redis.hgetall(rec.identity);
    // kiq adds the `concurrency` field (Ruby writes it from 8.1.2) for every version.
    expect(Object.keys(hash).sort()).toEqual([...new Set([...Object.keys(rec.hash), "concurrency"])].sort());
    for (const field of ["busy", "rss", "rtt_us"]) {
      expect(hash[field], field).toMatch(/^\d+$/);
      expect(rec.hash[field], field).toMatch(/^\d+$/);
    }
    expect(hash.busy).toBe(rec.hash.busy);
    expect(hash.quiet).toBe(rec.hash.quiet);
    // beat: Float#to_s of epoch seconds, never an integer (8.x would read an integer as ms).
    expect(hash.beat).toMatch(/^\d{10}\.\d+$/);
    expect(Math.abs(Number(hash.beat) - Date.now() / 1000)).toBeLessThan(5);
    expect(hash.concurrency).toBe(rec.hash.concurrency ?? "3");
    expect(Number(hash.rss)).toBeGreaterThan(1000); // KB, not bytes or MB
    expect(Number(hash.rss)).toBeLessThan(16 * 1024 * 1024);

    expect(hash.info).toBe(expectedInfo(version, rec.info));
    const info = JSON.parse(hash.info as string);
    expect(Object.keys(info)).toEqual(
      version === 8
        ? insertAfter(Object.keys(rec.infoParsed), "tag", "concurrency")
        : Object.keys(rec.infoParsed),
    );
    expect(await redis.smembers("processes")).toEqual([rec.identity]);
    const ttl = await redis.ttl(rec.identity);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("writes the running-jobs hash Ruby writes, byte for byte, with a 60 s TTL", async () => {
    const rec = recorded(version);
    await heartbeat(version).beat();
    expect(await redis.hgetall(rec.workKey)).toEqual(rec.work);
    expect(await redis.ttl(rec.workKey)).toBeGreaterThan(55);
    // 6.4.1 Web UIs read :workers, 6.4.2+ read :work: a 6.x fleet may run both.
    const other = version === 6 ? `${rec.identity}:work` : `${rec.identity}:workers`;
    expect(await redis.exists(other)).toBe(version === 6 ? 1 : 0);
    if (version === 6) expect(await redis.hgetall(other)).toEqual(rec.work);
  });

  it("flushes stats to the keys Ruby uses, daily keys with a five-year TTL", async () => {
    const rec = recorded(version);
    const stats = new ProcessStats();
    for (let i = 0; i < 3; i++) stats.record(true);
    await heartbeat(version, { stats }).beat();

    const day = new Date().toISOString().slice(0, 10);
    expect(await redis.mget("stat:processed", "stat:failed")).toEqual(["3", "3"]);
    for (const key of [`stat:processed:${day}`, `stat:failed:${day}`]) {
      expect(await redis.get(key)).toBe("3");
      expect(await redis.ttl(key)).toBeGreaterThan(STATS_TTL - 5);
    }
    expect(stats.processed + stats.failed).toBe(0);
    // The heartbeat's share of the keys Ruby left (the rest came from jobs, the scheduler, metrics).
    const heartbeatKeys = rec.keys.filter(
      (k) => k.startsWith("stat:") || k === "processes" || k.startsWith(rec.identity),
    );
    const ours = (await redis.keys("*")).sort();
    const extra = version === 6 ? [`${rec.identity}:work`] : [];
    expect(ours).toEqual([...heartbeatKeys, ...extra].map((k) => k.replace(/\d{4}-\d\d-\d\d/, day)).sort());
  });

  it(`sends zero stats ${version === 6 ? "on every beat, as 6.x does" : "never (7.x/8.x skip the flush)"}`, async () => {
    await heartbeat(version).beat();
    expect(await redis.exists("stat:processed")).toBe(version === 6 ? 1 : 0);
  });

  it("beats every BEAT_PAUSE by default", () => {
    expect(BEAT_PAUSE[version]).toBe(version === 6 ? 5000 : 10_000);
  });
});

describe("signals and state", () => {
  it("pops one signal per beat and hands it over; quiet is written from isQuiet()", async () => {
    const rec = recorded(7);
    const signals: string[] = [];
    let quiet = false;
    const beat = heartbeat(7, { onSignal: (s) => signals.push(s), isQuiet: () => quiet });
    await redis.lpush(`${rec.identity}-signals`, "TSTP", "TERM");
    await beat.beat();
    expect(signals).toEqual(["TSTP"]);
    expect(await redis.hget(rec.identity, "quiet")).toBe("false");
    quiet = true;
    await beat.beat();
    expect(signals).toEqual(["TSTP", "TERM"]);
    expect(await redis.hget(rec.identity, "quiet")).toBe("true");
    await beat.beat();
    expect(signals).toHaveLength(2);
  });

  it("calls onFirstBeat when the process hash did not exist", async () => {
    const rec = recorded(8);
    let first = 0;
    const beat = heartbeat(8, { onFirstBeat: () => first++ });
    await beat.beat();
    await beat.beat();
    expect(first).toBe(1);
    await redis.del(rec.identity); // expired during an outage
    await beat.beat();
    expect(first).toBe(2);
  });

  it("writes an empty running-jobs hash as no key at all", async () => {
    const rec = recorded(8);
    await redis.hset(rec.workKey, "old", "{}");
    await heartbeat(8, { running: () => [] }).beat();
    expect(await redis.exists(rec.workKey)).toBe(0);
    expect(await redis.hget(rec.identity, "busy")).toBe("0");
  });

  it("keeps the counts when Redis fails and sends them on the next beat", async () => {
    const offline = new Redis(testRedisUrl(), { enableOfflineQueue: false });
    await new Promise((resolve) => offline.once("ready", resolve));
    offline.disconnect(); // commands now fail at once
    await new Promise((resolve) => offline.once("end", resolve));
    const stats = new ProcessStats();
    stats.record(false);
    stats.record(true);
    const beat = heartbeat(7, { redis: offline, stats });
    await expect(beat.beat()).resolves.toBeUndefined();
    expect([stats.processed, stats.failed]).toEqual([2, 1]);
    await offline.connect();
    await beat.beat();
    expect([stats.processed, stats.failed]).toEqual([0, 0]);
    expect(await redis.mget("stat:processed", "stat:failed")).toEqual(["2", "1"]);
    offline.disconnect();
  });

  it("survives a throwing onSignal", async () => {
    const rec = recorded(6);
    await redis.lpush(`${rec.identity}-signals`, "TERM");
    const beat = heartbeat(6, {
      onSignal: () => {
        throw new Error("boom");
      },
    });
    await expect(beat.beat()).resolves.toBeUndefined();
  });

  it("start() beats at once and then every interval; stop() waits for the beat in flight", async () => {
    const rec = recorded(7);
    const beat = heartbeat(7, { intervalMs: 30 });
    await beat.start();
    expect(await redis.exists(rec.identity)).toBe(1);
    const first = await redis.hget(rec.identity, "beat");
    await new Promise((r) => setTimeout(r, 150));
    await beat.stop();
    const last = await redis.hget(rec.identity, "beat");
    expect(Number(last)).toBeGreaterThan(Number(first));
    await new Promise((r) => setTimeout(r, 80));
    expect(await redis.hget(rec.identity, "beat")).toBe(last);
  });

  it.each(VERSIONS)(
    "clear() (version %i) flushes stats, leaves the process set and deletes the running jobs",
    async (version) => {
      const rec = recorded(version);
      const stats = new ProcessStats();
      const beat = heartbeat(version, { stats });
      await beat.start();
      stats.record(false);
      await beat.clear();
      expect(await redis.sismember("processes", rec.identity)).toBe(0);
      expect(await redis.exists(`${rec.identity}:work`, `${rec.identity}:workers`)).toBe(0);
      expect(await redis.exists(rec.identity)).toBe(1); // left to expire, as Ruby does
      expect(await redis.get("stat:processed")).toBe("1");
    },
  );

  it("refuses an info whose identity differs from the heartbeat's", () => {
    expect(() => heartbeat(7, { identity: "other:1:abc" })).toThrow(/identity/);
  });
});

describe("info JSON", () => {
  const base: ProcessInfo = {
    hostname: "web-1",
    startedAt: 1795374794,
    pid: 42,
    tag: "app",
    concurrency: 5,
    queues: ["critical", "10", "default", "critical"],
    weights: { critical: 3, 10: 1, default: 0 },
    labels: ["blue", "kiq", "blue"],
    identity: "web-1:42:0123456789ab",
  };

  it("keeps queue order even for integer-like names, and writes started_at as a Float", () => {
    expect(infoJson(base, 8)).toBe(
      '{"hostname":"web-1","started_at":1795374794.0,"pid":42,"tag":"app","concurrency":5,' +
        '"capsules":{"default":{"concurrency":5,"mode":"weighted","weights":{"critical":3,"10":1,"default":0}}},' +
        '"queues":["critical","10","default"],"weights":[{"critical":3,"10":1,"default":0}],' +
        `"labels":["blue","kiq"],"identity":"web-1:42:0123456789ab","version":"8.1.7+kiq.${KIQ_VERSION}","embedded":false}`,
    );
  });

  it("writes only the 6.x keys for 6", () => {
    expect(Object.keys(JSON.parse(infoJson(base, 6)))).toEqual([
      "hostname",
      "started_at",
      "pid",
      "tag",
      "concurrency",
      "queues",
      "labels",
      "identity",
    ]);
  });

  it("names the capsule mode as Sidekiq does", () => {
    expect(capsuleMode([0, 0])).toBe("strict");
    expect(capsuleMode([1, 1])).toBe("random");
    expect(capsuleMode([0, 1])).toBe("weighted");
    expect(capsuleMode([2, 1])).toBe("weighted");
  });

  it("uses the package's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(KIQ_VERSION).toBe(pkg.version);
  });
});

function insertAfter(keys: string[], after: string, key: string): string[] {
  const i = keys.indexOf(after);
  return [...keys.slice(0, i + 1), key, ...keys.slice(i + 1)];
}
