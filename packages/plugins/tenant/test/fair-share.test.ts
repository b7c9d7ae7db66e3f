// Fair sharing on a shared queue, with two workers on one Redis: one tenant's flood is parked at
// its cap while the other tenants' jobs start within a stated bound; no job is lost, also when a
// worker holding parked jobs is killed with SIGKILL; it composes with @kiq/tracker's reliable fetch.

import { defineJob, generateJid, type JobContext, Kiq, type Plugin } from "@kiq/core";
import { tracker } from "@kiq/tracker";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { kiqWorker } from "../../../../test/support/cli.js";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { eventually } from "../../../core/test/worker-helpers.js";
import { currentTenant, tenant } from "../src/index.js";

/** Jobs of the flooding tenant ahead of the others in the queue. */
const FLOOD = 1000;
const MAX_CONCURRENT = 2;
const WORKERS = 2;
const CONCURRENCY = 5;
const JOB_MS = 100;
/**
 * The stated bound: with FLOOD jobs of one tenant ahead of them, the other tenants' jobs start
 * within this many ms of the workers starting (parking costs one script call per flood job).
 * Without fair sharing they would wait FLOOD × JOB_MS / (WORKERS × CONCURRENCY) = 10 s.
 */
const OTHERS_START_WITHIN_MS = 3000;

const workers: Kiq[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((kiq) => kiq.stop()));
});
afterAll(closeAll);

const payload = (tenantId: string, jid = generateJid()) =>
  `{"retry":true,"queue":"t","class":"FairJob","args":[],"jid":"${jid}","created_at":1795378342.5,"cattr":{"tenant_id":"${tenantId}"},"enqueued_at":1795378342.5}`;

async function startWorker(
  handler: (jid: string, tenantId: string) => Promise<void>,
  {
    lease = 30,
    concurrency = CONCURRENCY,
    maxConcurrent = MAX_CONCURRENT,
    tracker: fetch = undefined as Plugin | undefined,
  } = {},
): Promise<Kiq> {
  const kiq = new Kiq({
    url: testRedisUrl(),
    queues: ["t"],
    concurrency,
    timeout: 1,
    logger: pino({ level: process.env.KIQ_TEST_LOG ?? "silent" }),
    jobs: [
      defineJob("FairJob", function (this: JobContext) {
        return handler(this.jid, String(currentTenant()));
      }),
    ],
  });
  if (fetch) kiq.use(fetch);
  kiq.use(tenant({ fairShare: { maxConcurrent, lease, sweepEvery: 0.2 } }));
  workers.push(kiq);
  await kiq.start();
  return kiq;
}

async function parkedJids(redis: Redis): Promise<string[]> {
  const lists = await redis.zrange("kiq-tenant:parked-lists", 0, -1);
  const jids: string[] = [];
  for (const list of lists) jids.push(...(await redis.lrange(`${list}:jids`, 0, -1)));
  return jids;
}

describe("fair sharing", () => {
  it("parks a flooding tenant at its cap; the other tenants start within the bound; nothing is lost", async () => {
    const redis = await freshRedis();
    const flood = Array.from({ length: FLOOD }, () => payload("A"));
    const others = ["B", "C", "B", "C"].map((id) => payload(id));
    // LPUSH in order: the flood is fetched first, the others last.
    await redis.lpush("queue:t", ...flood, ...others);
    const running = new Map<string, number>();
    let maxRunningA = 0;
    const ran: string[] = [];
    const othersStarted: number[] = [];
    let started = 0;
    const handler = async (jid: string, tenantId: string) => {
      if (tenantId !== "A") othersStarted.push(performance.now() - started);
      running.set(tenantId, (running.get(tenantId) ?? 0) + 1);
      if (tenantId === "A") maxRunningA = Math.max(maxRunningA, running.get("A") ?? 0);
      await new Promise((resolve) => setTimeout(resolve, JOB_MS));
      running.set(tenantId, (running.get(tenantId) ?? 0) - 1);
      ran.push(jid);
    };
    started = performance.now();
    for (let i = 0; i < WORKERS; i++) await startWorker(handler);
    await eventually(() => othersStarted.length === others.length);
    await Promise.all(workers.splice(0).map((kiq) => kiq.stop()));

    console.log(`other tenants started after ${othersStarted.map((ms) => Math.round(ms)).join(", ")} ms`);
    expect(Math.max(...othersStarted)).toBeLessThan(OTHERS_START_WITHIN_MS);
    expect(maxRunningA).toBe(MAX_CONCURRENT);
    // Every flood job ran once, or waits in the queue or a parked list, exactly once.
    const queued = (await redis.lrange("queue:t", 0, -1)).map((raw) => JSON.parse(raw).jid as string);
    const everywhere = [...ran, ...queued, ...(await parkedJids(redis))];
    expect(everywhere).toHaveLength(FLOOD + others.length);
    expect(new Set(everywhere).size).toBe(FLOOD + others.length);
    expect(await redis.llen("kiq-tenant:parked:t:A")).toBe(await redis.llen("kiq-tenant:parked:t:A:jids"));
  });

  it("serves tenants flooding one queue in turn: no tenant gets two jobs ahead of another", async () => {
    const redis = await freshRedis();
    const perTenant = 8;
    const tenants = ["A", "B", "C"];
    // Fetched in this order: all of A, then all of B, then all of C.
    await redis.lpush(
      "queue:t",
      ...tenants.flatMap((id) => Array.from({ length: perTenant }, () => payload(id))),
    );
    const order: string[] = [];
    await startWorker(
      async (_jid, tenantId) => {
        order.push(tenantId);
        await new Promise((resolve) => setTimeout(resolve, JOB_MS));
      },
      { concurrency: 2, maxConcurrent: 1 },
    );
    await eventually(() => order.length === tenants.length * perTenant, 10_000);
    const started = new Map(tenants.map((id) => [id, 0]));
    for (const id of order.slice(0, (perTenant - 1) * tenants.length)) {
      started.set(id, (started.get(id) ?? 0) + 1);
      expect(
        Math.max(...started.values()) - Math.min(...started.values()),
        order.join(""),
      ).toBeLessThanOrEqual(2);
    }
  });

  it.each([
    ["the basic fetch", false],
    ["@kiq/tracker's reliable fetch", true],
  ])("runs the parked jobs of a worker killed with SIGKILL (%s)", async (_fetch, withTracker) => {
    const redis = await freshRedis();
    const jids = Array.from({ length: 6 }, () => generateJid());
    await redis.lpush("queue:t", ...jids.map((jid) => payload("A", jid)));
    const fixture = new URL("./fixtures/fair-worker.mjs", import.meta.url).pathname;
    process.env.TRACKER = withTracker ? "1" : "0"; // the CLI child inherits it
    const child = kiqWorker(["-r", fixture, "-q", "t", "-c", "3"]);
    try {
      await eventually(async () => (await redis.llen("kiq-tenant:parked:t:A")) === 5, 10_000);
    } finally {
      child.child.kill("SIGKILL");
      await child.exited;
      delete process.env.TRACKER;
    }
    const [runningInKilled] = await redis.zrange("kiq-tenant:running:A", 0, -1);
    const ran: string[] = [];
    await startWorker(async (jid) => void ran.push(jid), {
      lease: 1,
      tracker: withTracker
        ? tracker({ heartbeatInterval: 0.3, heartbeatTtl: 1, recoveryInterval: 1 })
        : undefined,
    });
    // With the basic fetch the job the killed worker was running is gone (popped, in its memory
    // only); the reliable fetch kept it in the killed worker's working list and recovers it.
    const expected = withTracker ? jids : jids.filter((jid) => jid !== runningInKilled);
    await eventually(() => ran.length === expected.length, 10_000);
    expect(ran.sort()).toEqual(expected.sort());
    expect(await redis.exists("kiq-tenant:parked:t:A", "kiq-tenant:parked:t:A:jids")).toBe(0);
    expect(await redis.zcard("kiq-tenant:parked-lists")).toBe(0);
  });
});
