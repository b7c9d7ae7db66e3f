import { readFileSync } from "node:fs";
import { CRON_JOBS_KEY, CronStore, cronJobKey, enqueuedKey } from "@kiq/cron";
import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "../../../../test/support/paths.js";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { runRubyScript } from "../../../../test/support/ruby.js";

const SAVE_VECTOR = "/work/shared/spec/vectors/cron-1.8.0-save.json";
const save = JSON.parse(readFileSync(SAVE_VECTOR, "utf8"));
const savedHash = save.keys["cron_job:nightly-report"].value as Record<string, string>;
const savedAt = new Date(save.saved_at_utc);

interface RubyJob {
  name: string;
  klass: string;
  cron: string;
  args: string;
  message: string;
  status: string;
  queue: string;
  description: string;
  last_enqueue_time: string | null;
  valid: boolean;
}
const ruby = (input: unknown) =>
  runRubyScript<{ jobs: RubyJob[]; errors: Record<string, string[]> }>(6, rubyFixture("cron.rb"), input);

const nightly = {
  name: "nightly-report",
  cron: "30 2 * * *",
  klass: "HardWorker",
  args: [42, { tenant: "acme" }],
  queue: "reports",
  description: "Nightly",
  options: { retry: 3 },
};

let redis: Redis;
let store: CronStore;
beforeEach(async () => {
  redis = await freshRedis();
  store = new CronStore(redis);
});
afterAll(closeAll);

describe("cron jobs in sidekiq-cron 1.8.0's keys", () => {
  it("saves the hash fields, set member and save-time :enqueued entry sidekiq-cron 1.8.0 writes", async () => {
    await store.save(nightly, savedAt);
    expect(await redis.hgetall(cronJobKey("nightly-report"))).toEqual(savedHash);
    expect(await redis.smembers(CRON_JOBS_KEY)).toEqual(save.keys.cron_jobs.value);
    const entries = await redis.zrange(enqueuedKey("nightly-report"), 0, -1, "WITHSCORES");
    const [member, score] = save.keys["cron_job:nightly-report:enqueued"].value[0];
    expect(entries[0]).toBe(member);
    expect(Number(entries[1])).toBeCloseTo(score, 2);
  });

  it("a Node-defined job is listed by Ruby's Sidekiq::Cron::Job.all; Ruby disables it and Node sees it", async () => {
    await store.save({ ...nightly, cron: "every 10 seconds" });
    const before = await ruby({});
    expect(before.jobs).toHaveLength(1);
    expect(before.jobs[0]).toMatchObject({
      name: "nightly-report",
      klass: "HardWorker",
      cron: "every 10 seconds",
      status: "enabled",
      queue: "reports",
      description: "Nightly",
      valid: true,
      args: '[42,{"tenant":"acme"}]',
    });
    expect(JSON.parse(before.jobs[0]?.message ?? "")).toEqual({
      retry: 3,
      queue: "reports",
      class: "HardWorker",
      args: [42, { tenant: "acme" }],
    });

    await ruby({ disable: ["nightly-report"] });
    expect((await store.find("nightly-report"))?.status).toBe("disabled");
    // Saving again without a status keeps Ruby's choice, as Job.new reads status_from_redis.
    await store.save(nightly);
    expect((await store.find("nightly-report"))?.status).toBe("disabled");
    await store.enable("nightly-report");
    expect((await ruby({})).jobs[0]?.status).toBe("enabled");
  });

  it("reads a Ruby-defined job, and a Ruby re-save's last_enqueue_time text; destroy leaves no key", async () => {
    await ruby({
      save: [
        { name: "r", cron: "*/5 * * * * *", class: "Conformance::Tick", queue: "ticks", args: ["tick"] },
      ],
    });
    await redis.hset(cronJobKey("r"), "last_enqueue_time", "2026-11-22 20:12:10 +0000");
    await ruby({ disable: ["r"] }); // re-saves every field; 1.8.0 writes Time#to_s here
    expect(await redis.hget(cronJobKey("r"), "last_enqueue_time")).toBe("2026-11-22 20:12:10 UTC");
    const job = await store.find("r");
    expect(job).toMatchObject({
      name: "r",
      klass: "Conformance::Tick",
      queue: "ticks",
      args: ["tick"],
      status: "disabled",
      activeJob: false,
    });
    expect(job?.lastEnqueueTime?.toISOString()).toBe("2026-11-22T20:12:10.000Z");
    expect((await store.all()).map((j) => j.name)).toEqual(["r"]);

    expect(await store.destroy("r")).toBe(true);
    expect(await redis.keys("cron_job*")).toEqual([]);
    expect((await ruby({})).jobs).toEqual([]);
  });

  it("rejects an invalid cron before writing anything", async () => {
    await expect(store.save({ ...nightly, cron: "60 * * * *" })).rejects.toThrow(/invalid cron/);
    expect(await redis.exists(CRON_JOBS_KEY)).toBe(0);
  });
});
