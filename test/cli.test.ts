import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { kiq, kiqWorker } from "./support/cli.js";
import { closeAll, freshRedis } from "./support/redis.js";

const JOBS = fileURLToPath(new URL("./fixtures/node-jobs.mjs", import.meta.url));

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});
afterAll(closeAll);

async function received(count: number, ms = 10_000): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const entries = await redis.lrange("kiq-test:node-received", 0, -1);
    if (entries.length >= count) return entries.map((e) => JSON.parse(e));
    if (Date.now() > deadline) throw new Error(`only ${entries.length} of ${count} jobs ran`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the kiq command", () => {
  it("enqueues exactly (big integers too) and a worker started from the command line runs it", async () => {
    const pushed = await kiq(["enqueue", "Echo", '[1, 12345678901234567890, "ü", 1.5]', "-q", "critical"]);
    expect(pushed.stderr).toBe("");
    const jid = pushed.stdout.trim();
    expect(jid).toMatch(/^[0-9a-f]{24}$/);
    expect(await redis.lindex("queue:critical", 0)).toContain('"args":[1,12345678901234567890,"ü",1.5]');
    const worker = kiqWorker([
      "-r",
      JOBS,
      "-q",
      "critical",
      "-q",
      "default,2",
      "-c",
      "3",
      "--sidekiq-version",
      "7",
    ]);
    const [entry] = await received(1);
    expect(entry).toEqual({
      jid,
      class: "Echo",
      queue: "critical",
      args: ["1", "12345678901234567890", "ü", "1.5"],
    });
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    const stats = await kiq(["stats"]);
    expect(stats.stdout).toMatch(/Processed: 1\n/);
    expect(stats.stdout).toMatch(/critical\s+0/);
  });

  it("on SIGTERM mid-job waits -t seconds, then pushes the job back to its queue and exits", async () => {
    const { stdout } = await kiq(["enqueue", "Sleepy", "[30]"]);
    const raw = await redis.lindex("queue:default", 0);
    const worker = kiqWorker(["-r", JOBS, "-t", "1"]);
    await received(1);
    const signalled = Date.now();
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(6000);
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([raw]);
    expect(raw).toContain(stdout.trim());
    expect(worker.output()).toContain("unfinished jobs pushed back");
  });

  it("says clearly what is wrong with bad input, and exits non-zero", async () => {
    expect(await kiq(["enqueue", "Echo", "not json"])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("JSON_ARGS is not valid JSON"),
    });
    expect(await kiq(["enqueue", "Echo", '{"a":1}'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("must be a JSON array"),
    });
    expect(await kiq(["worker"])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("needs at least one -r FILE"),
    });
    expect(await kiq(["worker", "-r", JOBS, "--sidekiq-version", "9"])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("--sidekiq-version must be 6, 7 or 8"),
    });
    expect((await kiq(["frobnicate"])).code).toBe(2);
    expect(await redis.dbsize()).toBe(0);
  });
});
