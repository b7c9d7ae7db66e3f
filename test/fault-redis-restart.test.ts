// Redis restarted mid-run (AOF, fsync always) and the workers' connections killed with CLIENT KILL,
// while two workers drain a few thousand jobs: the workers resume by themselves, say in health()
// that they cannot fetch while Redis is away, and at the end every job has run. A job whose pop
// reply was lost with the connection is gone for the basic fetch (that is its contract, and the
// test bounds it); the reliable fetch keeps it in Redis until acknowledged, so nothing may be lost.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, defineJob, Kiq, type Plugin } from "@kiq/core";
import { tracker } from "@kiq/tracker";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, killConnections } from "../packages/core/test/worker-helpers.js";
import { type RedisServer, startRedisServer } from "./support/redis-server.js";

const JOBS = 3000;
const WORKERS = 2;
const CONCURRENCY = 10;
/** Each job sleeps this long, so 20 slots drain about 1,000 jobs/s and the faults land mid-run. */
const JOB_MS = 15;
/** How long Redis stays down. */
const OUTAGE_MS = 1000;

let server: RedisServer | undefined;
let dir: string | undefined;
const workers: Kiq[] = [];
const connections: Redis[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((kiq) => kiq.stop()));
  for (const redis of connections.splice(0)) redis.disconnect();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = dir = undefined;
});

/** Every write fsynced before it is acknowledged; SIGTERM flushes and exits. */
const aof = (path: string) => ["--appendonly", "yes", "--appendfsync", "always", "--dir", path];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connection that waits through the restart instead of failing its commands. */
function patientRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on("error", () => {}); // it reconnects by itself
  connections.push(redis);
  return redis;
}

interface Outcome {
  jids: string[];
  /** Jobs that have not run once the queue was empty and every worker idle. */
  notRun(): Promise<string[]>;
  /** Of those, the ones still held in a working list (the reliable fetch's), not lost. */
  stranded: number;
  killedConnections: number;
  /** Starts a worker as a restart or a deploy would: it recovers what stopped workers left. */
  startWorker(): Promise<Kiq>;
}

/**
 * Drains JOBS jobs across a Redis restart and a CLIENT KILL, checks the workers' health during the
 * outage, and stops them once the queue is empty and they idle. `plugins` go on every worker.
 */
async function drainThroughFaults(plugins: Plugin[] = []): Promise<Outcome> {
  dir = mkdtempSync(join(tmpdir(), "kiq-aof-"));
  server = await startRedisServer(undefined, aof(dir));
  const port = server.port;
  const url = `redis://127.0.0.1:${port}`;
  const recorder = patientRedis(url);
  // The run is counted when the job finishes: a run cut short does not count.
  const record = defineJob("Fault::Record", async function (this: { jid: string }, ms: number) {
    await sleep(ms);
    await recorder.hincrby("fault:runs", this.jid, 1);
  });
  const client = new Client({ redis: recorder, sidekiqVersion: 7 });
  const jids = (
    await client.pushBulk({ class: "Fault::Record", args: Array.from({ length: JOBS }, () => [JOB_MS]) })
  ).filter((jid) => jid !== null);
  expect(jids).toHaveLength(JOBS);

  const startWorker = async () => {
    const kiq = new Kiq({
      url,
      concurrency: CONCURRENCY,
      jobs: [record],
      sidekiqVersion: 7,
      heartbeatInterval: 200,
      timeout: 2,
      logger: pino({ level: process.env.KIQ_TEST_LOG ?? "silent" }),
    });
    for (const plugin of plugins) kiq.use(plugin);
    workers.push(kiq);
    await kiq.start();
    return kiq;
  };
  const fleet = await Promise.all(Array.from({ length: WORKERS }, startWorker));
  const ran = () => recorder.hlen("fault:runs");

  await eventually(async () => (await ran()) >= JOBS / 4, 20_000);
  const stoppedAt = Date.now();
  await server.stop(); // SIGTERM: Redis fsyncs the AOF and exits; running jobs go on without it
  const duringOutage = await eventually(() => {
    const health = fleet.map((kiq) => kiq.health());
    return health.every((h) => h.fetchError !== undefined) ? health : undefined;
  }, 10_000);
  for (const health of duringOutage) {
    expect(health.fetchError).toMatch(/Redis connection is \w+/);
    expect(health.fetchErrorSince).toBeGreaterThanOrEqual(stoppedAt);
  }
  await sleep(OUTAGE_MS);
  server = await startRedisServer(port, aof(dir));
  await eventually(() => fleet.every((kiq) => kiq.health().fetchError === undefined), 15_000);

  await eventually(async () => (await ran()) >= JOBS / 2, 20_000);
  let killedConnections = 0;
  for (const kiq of fleet) killedConnections += await killConnections(recorder, kiq.identity);

  await eventually(
    async () => (await recorder.llen("queue:default")) === 0 && fleet.every((kiq) => kiq.health().busy === 0),
    30_000,
  );
  const stranded = await heldInWorkingLists(recorder);
  await Promise.all(fleet.map((kiq) => kiq.stop()));
  const notRun = async () => {
    const runs = await recorder.hgetall("fault:runs");
    return jids.filter((jid) => runs[jid] === undefined);
  };
  return { jids, notRun, stranded, killedConnections, startWorker };
}

async function heldInWorkingLists(redis: Redis): Promise<number> {
  let held = 0;
  for (const key of await redis.keys("working:*")) held += await redis.llen(key);
  return held;
}

describe("Redis restarted with AOF and CLIENT KILL mid-run", () => {
  it("basic fetch: workers resume by themselves and lose at most the pops whose replies were cut off", async () => {
    const { notRun, stranded, killedConnections } = await drainThroughFaults();
    // Each worker has a command and a fetch connection, and both were found by name and killed.
    expect(killedConnections).toBe(WORKERS * 2);
    expect(stranded).toBe(0); // it keeps nothing in Redis: a job whose pop reply was lost is gone
    // A lost pop reply costs at most one batch (≤ concurrency jobs) per worker and per fault.
    expect((await notRun()).length).toBeLessThanOrEqual(WORKERS * CONCURRENCY * 2);
  }, 60_000);

  it("reliable fetch: workers resume by themselves, and no job is lost", async () => {
    // A pass every second, so the restarted worker's startup pass is not skipped for the lock.
    const { notRun, stranded, killedConnections, startWorker } = await drainThroughFaults([
      tracker({ recoveryInterval: 1 }),
    ]);
    expect(killedConnections).toBe(WORKERS * 2);
    // Every job that has not run is still in Redis, in the working list it was moved to. (A move
    // whose reply the kill cut off leaves its jobs there until the process stops: at most one
    // batch per worker and per fault. The stop deletes its liveness key, and recovery pushes them back.)
    expect((await notRun()).length).toBe(stranded);
    expect(stranded).toBeLessThanOrEqual(WORKERS * CONCURRENCY * 2);
    const restarted = await startWorker();
    await eventually(async () => (await notRun()).length === 0, 15_000);
    await restarted.stop();
  }, 60_000);
});
