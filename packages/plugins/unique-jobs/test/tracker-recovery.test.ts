// With @kiq/tracker: a job a dead process held (in its working list) is recovered at the next
// worker's startup and runs again at once, its unique lock intact until it succeeds — not after the
// lock's TTL — because the tracker announces it "recovered" and the plugin gives the dead run's
// locks back to the same jid.

import { Client, defineJob, type PushItem } from "@kiq/core";
import { tracker, workingList } from "@kiq/tracker";
import type { Redis } from "ioredis";
import pino from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { lock, runDigest, uniqueJobs } from "../src/index.js";
import { eventually, startWorker, stopWorkers } from "./support/workers.js";

const DEAD_PROCESS = "deadhost:4242:0123456789ab";
const LOCK_TTL_S = 60;
/** Far below the TTL: the worker's startup plus one run. */
const AT_ONCE_MS = 5000;

/** Pushes a unique job and leaves it in a dead process' working list, as a crash mid-run would. */
async function orphan(redis: Redis, job: PushItem): Promise<{ jid: string; digest: string }> {
  const client = new Client({ redis, sidekiqVersion: 8, logger: pino({ level: "silent" }) }).use(
    uniqueJobs(),
  );
  const jid = String(await client.push(job));
  const payload = String(await redis.rpop("queue:u"));
  await redis.lpush(workingList("queue:u", DEAD_PROCESS), payload);
  return { jid, digest: String(JSON.parse(payload).lock_digest) };
}

afterEach(stopWorkers);
afterAll(closeAll);

describe("recovered by @kiq/tracker", () => {
  it("an until_executed orphan with a 60 s lock_ttl runs again at once and then releases its lock", async () => {
    const redis = await freshRedis();
    const { jid, digest } = await orphan(redis, {
      class: "UE",
      queue: "u",
      args: [1],
      lock: "until_executed",
      lock_ttl: LOCK_TTL_S,
    });
    const ran: string[] = [];
    const started = Date.now();
    await startWorker(
      [
        defineJob("UE", function () {
          ran.push(this.jid);
        }),
      ],
      (kiq) => kiq.use(tracker()),
    );
    await eventually(() => ran.length === 1);
    expect(Date.now() - started).toBeLessThan(AT_ONCE_MS);
    expect(ran).toEqual([jid]);
    await eventually(async () => (await redis.exists(`${digest}:LOCKED`)) === 0);
    expect(await redis.keys("working:*")).toEqual([]);
  });

  it("an until_and_while_executing orphan that died holding D:RUN runs again at once", async () => {
    const redis = await freshRedis();
    const { jid, digest } = await orphan(redis, {
      class: "UW",
      queue: "u",
      args: [1],
      lock: "until_and_while_executing",
      lock_ttl: LOCK_TTL_S,
    });
    // Mid-run: D released at start, D:RUN held by the run that died.
    await redis.del(digest, `${digest}:LOCKED`);
    await lock(redis, { digest: runDigest(digest), jid, type: "while_executing", ttl: LOCK_TTL_S, limit: 1 });
    let ran = 0;
    const started = Date.now();
    await startWorker([defineJob("UW", () => void ran++)], (kiq) => kiq.use(tracker()));
    await eventually(() => ran === 1);
    expect(Date.now() - started).toBeLessThan(AT_ONCE_MS);
    await eventually(async () => (await redis.keys("uniquejobs:*:LOCKED")).length === 0);
  });
});
