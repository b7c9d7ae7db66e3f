// A Ruby fleet fetching with gitlab-sidekiq-fetcher 0.8.0 (Debian's, on Sidekiq 6.4.1) and a kiq
// fleet with @kiq/tracker share one Redis: each recovers the other's orphans.

import { fileURLToPath } from "node:url";
import { heartbeatKey, parseWorkingList } from "@kiq/tracker";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { kiq, kiqWorker } from "../../../../test/support/cli.js";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { startRubySidekiq } from "../../../../test/support/ruby.js";
import { until } from "./support.js";

const JOBS = fileURLToPath(new URL("./fixtures/jobs.mjs", import.meta.url));
const CONFIG = fileURLToPath(new URL("./fixtures/reliable.yml", import.meta.url));
const RUBY_APP = fileURLToPath(new URL("./fixtures/gitlab_fetch_app.rb", import.meta.url));

afterAll(closeAll);

async function starts(redis: Redis): Promise<{ jid: string; count: number; ruby?: boolean }[]> {
  return (await redis.lrange("tracker-test:started", 0, -1)).map((s) => JSON.parse(s));
}

async function theWorkingList(redis: Redis): Promise<string> {
  const lists = await redis.keys("working:queue:default:*");
  expect(lists).toHaveLength(1);
  return lists[0] as string;
}

describe("interop with gitlab-sidekiq-fetcher 0.8.0 (Ruby Sidekiq 6.4.1)", () => {
  it("kiq recovers the job a Ruby process held when it was killed with kill -9", async () => {
    const redis = await freshRedis();
    const jid = (await kiq(["enqueue", "Crashy", "[]"])).stdout.trim();
    const raw = (await redis.lindex("queue:default", 0)) as string;
    const ruby = startRubySidekiq(6, { requireFile: RUBY_APP, env: { CLEANUP_INTERVAL: "3600" } });
    try {
      await until(async () => (await starts(redis)).length === 1, 20_000);
    } finally {
      ruby.child.kill("SIGKILL");
      await ruby.stop();
    }
    const list = await theWorkingList(redis);
    const owner = parseWorkingList(list)?.identity as string;
    expect(await redis.lrange(list, 0, -1)).toEqual([raw]);
    expect(await redis.get(heartbeatKey(owner))).toBe("1"); // the gem's key, kiq's name for it
    await redis.del(heartbeatKey(owner)); // as if its 60 s had passed

    const worker = kiqWorker(["--reliable", "-r", JOBS, "-C", CONFIG]);
    try {
      await until(async () => (await redis.llen("tracker-test:done")) === 1, 15_000);
    } finally {
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
    }
    expect(await starts(redis)).toEqual([
      { jid, count: 0, ruby: true },
      { jid, count: 1 },
    ]);
    expect(await redis.keys("working:*")).toEqual([]);
  });

  it("Ruby's cleanup leaves a live kiq process' jobs alone and recovers them once it is killed", async () => {
    const redis = await freshRedis();
    const jid = (await kiq(["enqueue", "Crashy", "[]"])).stdout.trim();
    const raw = (await redis.lindex("queue:default", 0)) as string;
    const worker = kiqWorker(["--reliable", "-r", JOBS, "-C", CONFIG]);
    // Ruby serves another queue: it only cleans up, every second.
    const ruby = startRubySidekiq(6, { requireFile: RUBY_APP, queues: ["elsewhere"] });
    try {
      await until(async () => (await starts(redis)).length === 1, 15_000);
      const list = await theWorkingList(redis);
      await until(() => ruby.output().includes("Cleaning working queues"), 15_000);
      await new Promise((r) => setTimeout(r, 2000)); // more cleanups while kiq lives
      expect(await redis.lrange(list, 0, -1)).toEqual([raw]);
      worker.child.kill("SIGKILL");
      await worker.exited;
      await until(async () => (await redis.llen("queue:default")) === 1, 20_000);
      expect(ruby.output()).toContain(`Pushed job ${jid} back to queue queue:default`);
    } finally {
      worker.child.kill("SIGKILL");
      await ruby.stop();
    }
    const requeued = JSON.parse((await redis.lindex("queue:default", 0)) as string);
    expect(requeued).toMatchObject({ jid, class: "Crashy", interrupted_count: 1 });
    expect(await redis.keys("working:*")).toEqual([]);
  });
});
