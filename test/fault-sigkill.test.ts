// Two `kiq worker --reliable` processes drain a few thousand jobs while one of them is killed with
// SIGKILL again and again and started anew. At the end every job has finished at least once, none
// is lost, and the jobs run more than once are counted and bounded by what the killed process held
// in flight at each kill (its working list, read while the process was stopped just before the kill).
// The control: the same kill with the basic fetch loses the jobs the process held.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@kiq/core";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../packages/core/test/worker-helpers.js";
import { kiqWorker } from "./support/cli.js";
import { closeAll, freshRedis } from "./support/redis.js";

const FAULT_JOBS = fileURLToPath(new URL("./fixtures/fault-jobs.mjs", import.meta.url));
const JOBS = 5000;
const CONCURRENCY = 10;
/** Each job sleeps this long, so a kill always finds jobs mid-run. */
const JOB_MS = 25;
const KILLS = 4;
/** How long each incarnation of the victim works before it is killed. */
const LIFETIME_MS = 600;

/**
 * The reliable fetch with short liveness and recovery periods, so orphans are found in seconds, not
 * a minute; no poison-pill limit, since a job may be unlucky enough to be held at several kills.
 */
const CONFIG = `reliable:
  heartbeat_interval: 1
  heartbeat_ttl: 2
  recovery_interval: 1
  max_interruptions: -1
`;
let configFile = "";

type Worker = ReturnType<typeof kiqWorker>;
const running = new Set<Worker>();
afterEach(async () => {
  for (const worker of running) worker.child.kill("SIGKILL");
  await Promise.all([...running].map((worker) => worker.exited));
  running.clear();
});
afterAll(closeAll);

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "kiq-sigkill-"));
  configFile = join(dir, "sidekiq.yml");
  writeFileSync(configFile, CONFIG);
  return () => rmSync(dir, { recursive: true, force: true });
});

function startWorker(fetch: "reliable" | "basic" = "reliable"): Worker {
  const args = ["-r", FAULT_JOBS, "-c", String(CONCURRENCY), "-t", "2", "--sidekiq-version", "7"];
  if (fetch === "reliable") args.push("-C", configFile, "--reliable");
  const worker = kiqWorker(args);
  running.add(worker);
  void worker.exited.then(() => running.delete(worker));
  return worker;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Sidekiq identity of the worker process `pid`, once its heartbeat has registered it. */
async function identityOf(redis: Redis, pid: number): Promise<string | undefined> {
  for (const identity of await redis.smembers("processes")) {
    const info = await redis.hget(identity, "info");
    if (info && JSON.parse(info).pid === pid) return identity;
  }
  return undefined;
}

/** Sum over the hash's counts of the runs beyond each jid's first. */
function repeats(counts: Record<string, string>): number {
  return Object.values(counts).reduce((sum, n) => sum + Number(n) - 1, 0);
}

/** Pushes `count` Fault::Record jobs; returns their jids. */
async function pushJobs(redis: Redis, count: number): Promise<string[]> {
  const client = new Client({ redis, sidekiqVersion: 7 });
  const jids = await client.pushBulk({
    class: "Fault::Record",
    args: Array.from({ length: count }, () => [JOB_MS]),
  });
  return jids.filter((jid) => jid !== null);
}

/** Stops the worker (SIGSTOP), lets `measure` look at Redis while it cannot change it, then SIGKILLs it. */
async function kill<T>(worker: Worker, measure: () => Promise<T>): Promise<T> {
  worker.child.kill("SIGSTOP");
  await sleep(100); // commands it sent just before the stop reach Redis first
  const measured = await measure();
  worker.child.kill("SIGKILL");
  await worker.exited;
  return measured;
}

describe("SIGKILL during a drain, with the reliable fetch", () => {
  it("runs every job at least once and repeats no more jobs than the killed processes held", async () => {
    const redis = await freshRedis();
    const jids = await pushJobs(redis, JOBS);
    expect(jids).toHaveLength(JOBS);

    const steady = startWorker();
    let victim = startWorker();
    const kills: { identity: string; inFlight: number }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const pid = victim.child.pid as number;
      const identity = await eventually(() => identityOf(redis, pid), 15_000);
      await eventually(async () => (await redis.llen(`working:queue:default:${identity}`)) > 0, 15_000);
      await sleep(LIFETIME_MS);
      const inFlight = await kill(victim, () => redis.llen(`working:queue:default:${identity}`));
      kills.push({ identity, inFlight });
      victim = startWorker();
    }
    expect(await redis.llen("queue:default")).toBeGreaterThan(0); // every kill landed mid-drain

    const finished = await eventually(async () => {
      const counts = await redis.hgetall("fault:finished");
      return Object.keys(counts).length === JOBS ? counts : undefined;
    }, 60_000);
    // Every dead process' working list was recovered.
    await eventually(async () => {
      for (const { identity } of kills)
        if ((await redis.exists(`working:queue:default:${identity}`)) === 1) return false;
      return true;
    }, 30_000);
    for (const worker of [steady, victim]) worker.child.kill("SIGTERM");
    expect(await Promise.all([steady.exited, victim.exited])).toEqual([0, 0]);

    const started = await redis.hgetall("fault:started");
    const heldAtKills = kills.reduce((sum, kill) => sum + kill.inFlight, 0);
    expect(jids.filter((jid) => finished[jid] === undefined)).toEqual([]);
    expect(Object.keys(started)).toHaveLength(JOBS);
    // Jobs killed mid-run ran again; nothing beyond what the dead processes held was repeated.
    expect(repeats(started)).toBeGreaterThan(0);
    expect(repeats(started)).toBeLessThanOrEqual(heldAtKills);
    expect(repeats(finished)).toBeLessThanOrEqual(heldAtKills);
    expect(await redis.llen("queue:default")).toBe(0);
    expect(await redis.zcard("dead")).toBe(0);
    expect(await redis.zcard("retry")).toBe(0);
  }, 120_000);
});

describe("SIGKILL during a drain, with the basic fetch (the control)", () => {
  it("loses the jobs the killed process had popped and not finished", async () => {
    const redis = await freshRedis();
    const jids = await pushJobs(redis, 1000);
    const victim = startWorker("basic");
    await eventually(async () => (await redis.hlen("fault:finished")) >= 100, 15_000);
    // Started and not finished at the kill: held only in the dead process' memory.
    const held = await kill(victim, async () => {
      const [started, finished] = await Promise.all([
        redis.hkeys("fault:started"),
        redis.hgetall("fault:finished"),
      ]);
      return started.filter((jid) => finished[jid] === undefined);
    });
    expect(held.length).toBeGreaterThan(0);
    const successor = startWorker("basic");
    await eventually(async () => (await redis.llen("queue:default")) === 0, 30_000);
    successor.child.kill("SIGTERM");
    expect(await successor.exited).toBe(0);

    const finished = await redis.hgetall("fault:finished");
    const lost = jids.filter((jid) => finished[jid] === undefined);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(lost).toEqual(expect.arrayContaining(held));
  }, 60_000);
});
