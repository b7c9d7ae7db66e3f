// Redis restarted mid-run (AOF, fsync always) and the workers' connections killed with CLIENT KILL,
// while two workers drain a few thousand jobs: the workers resume by themselves, say in health()
// that they cannot fetch while Redis is away, and at the end every job has run. A job whose pop
// reply was lost with the connection is gone for the basic fetch (that is its contract, and the
// test bounds it); the reliable fetch keeps it in Redis until acknowledged, so nothing may be lost.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, defineJob, Kiq, type KiqHealth } from "@kiq/core";
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
  lost: string[];
  /** health() of every worker while Redis was down. */
  duringOutage: KiqHealth[];
  killedConnections: number;
}

/** Drains JOBS jobs across a Redis restart and a CLIENT KILL; `configure` may install a fetch plugin. */
async function drainThroughFaults(configure: (kiq: Kiq) => void = () => {}): Promise<Outcome> {
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

  for (let i = 0; i < WORKERS; i++) {
    const kiq = new Kiq({
      url,
      concurrency: CONCURRENCY,
      jobs: [record],
      sidekiqVersion: 7,
      heartbeatInterval: 200,
      timeout: 2,
      logger: pino({ level: process.env.KIQ_TEST_LOG ?? "silent" }),
    });
    configure(kiq);
    workers.push(kiq);
  }
  await Promise.all(workers.map((kiq) => kiq.start()));
  const ran = () => recorder.hlen("fault:runs");

  await eventually(async () => (await ran()) >= JOBS / 4, 20_000);
  const stoppedAt = Date.now();
  await server.stop(); // SIGTERM: Redis fsyncs the AOF and exits; running jobs go on without it
  const duringOutage = await eventually(() => {
    const health = workers.map((kiq) => kiq.health());
    return health.every((h) => h.fetchError !== undefined) && health;
  }, 10_000);
  await sleep(OUTAGE_MS);
  server = await startRedisServer(port, aof(dir));
  await eventually(() => workers.every((kiq) => kiq.health().fetchError === undefined), 15_000);

  await eventually(async () => (await ran()) >= JOBS / 2, 20_000);
  let killedConnections = 0;
  for (const kiq of workers) killedConnections += await killConnections(recorder, kiq.identity);

  await eventually(
    async () =>
      (await recorder.llen("queue:default")) === 0 && workers.every((kiq) => kiq.health().busy === 0),
    30_000,
  );
  await Promise.all(workers.map((kiq) => kiq.stop()));
  const runs = await recorder.hgetall("fault:runs");
  for (const health of duringOutage) {
    expect(health.fetchError).toMatch(/Redis connection is \w+/);
    expect(health.fetchErrorSince).toBeGreaterThanOrEqual(stoppedAt);
  }
  return { lost: jids.filter((jid) => runs[jid] === undefined), duringOutage, killedConnections };
}

describe("Redis restarted with AOF and CLIENT KILL mid-run", () => {
  it("basic fetch: workers resume by themselves and lose at most the pops whose replies were cut off", async () => {
    const { lost, killedConnections } = await drainThroughFaults();
    // Each worker has a command and a fetch connection, and both were found by name and killed.
    expect(killedConnections).toBe(WORKERS * 2);
    // A lost pop reply costs at most one batch (≤ concurrency jobs) per worker and per fault.
    expect(lost.length).toBeLessThanOrEqual(WORKERS * CONCURRENCY * 2);
  }, 60_000);
});
