import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client, Kiq } from "@kiq/core";
import {
  CronPoller,
  CronStore,
  type CronStoreOptions,
  cron,
  cronJobKey,
  enqueuedKey,
  parseSchedule,
} from "@kiq/cron";
import type { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "../../../../test/support/paths.js";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { runRubyScript } from "../../../../test/support/ruby.js";

const VECTOR = JSON.parse(readFileSync("/work/shared/spec/vectors/cron-1.8.0-schedule-yaml.json", "utf8"));
type Stored = { value: Record<string, string> | [string, number][] };
const keys = VECTOR.keys_after_load as Record<string, Stored>;
const MS_PER_SECOND = 1000;
/** The vector's save-time :enqueued entry for a job: [tick member, save time]. */
const savedTick = (name: string): [string, number] => {
  const entries = keys[enqueuedKey(name)]?.value as [string, number][] | undefined;
  const first = entries?.[0];
  if (!first) throw new Error(`vector has no :enqueued entry for ${name}`);
  return first;
};

let redis: Redis;
let store: CronStore;
beforeEach(async () => {
  redis = await freshRedis();
  store = new CronStore(redis);
});
afterAll(closeAll);

const withoutIds = (payload: string) => {
  const job = JSON.parse(payload);
  delete job.jid;
  delete job.created_at;
  delete job.enqueued_at;
  if (job.args[0]?.job_id) job.args[0].job_id = "<uuid>";
  if (job.args[0]?.arguments) job.args[0].arguments[1] = "<float>";
  return job;
};

describe("config/schedule.yml as sidekiq-cron 1.8.0 loads it", () => {
  it("stores the same hashes and save-time ticks as Job.load_from_hash", async () => {
    for (const def of parseSchedule(VECTOR.schedule_yaml)) {
      const [member, score] = savedTick(def.name);
      await store.save(def, new Date(score * MS_PER_SECOND));
      expect(await redis.hgetall(cronJobKey(def.name))).toEqual(keys[cronJobKey(def.name)]?.value);
      expect((await redis.zrange(enqueuedKey(def.name), 0, -1))[0]).toBe(member);
    }
    const ruby = await runRubyScript<{ jobs: { name: string; valid: boolean }[] }>(
      6,
      rubyFixture("cron.rb"),
      {},
    );
    expect(ruby.jobs.map((j) => [j.name, j.valid])).toEqual([
      ["billing_sync", true],
      ["weekly_digest", true],
    ]);
  });

  it("enqueue-now pushes what enque! pushes: the stored message, and sidekiq-cron's own JobWrapper for active_job", async () => {
    for (const def of parseSchedule(VECTOR.schedule_yaml)) await store.save(def);
    const client = new Client({ redis, sidekiqVersion: 6 });
    const poller = new CronPoller(store, (item) => client.push(item));
    expect(await poller.enqueueNow("billing_sync")).toBe(true);
    expect(await poller.enqueueNow("weekly_digest")).toBe(true);
    expect(await poller.enqueueNow("missing")).toBe(false);
    for (const queue of ["queue:billing", "queue:myapp.mailers"]) {
      const [ours] = await redis.lrange(queue, 0, -1);
      expect(withoutIds(ours ?? "{}")).toEqual(withoutIds(VECTOR.payloads_after_enque[queue][0]));
    }
    const history = await store.jidHistory("billing_sync");
    expect(history[0]?.enqueued).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$/);
    expect((await store.find("billing_sync"))?.lastEnqueueTime).toBeInstanceOf(Date);
  });

  it("rejects a schedule entry with a bad cron when saved", async () => {
    const [bad] = parseSchedule("broken:\n  cron: '61 * * * *'\n  class: X\n");
    await expect(store.save(bad ?? { name: "", cron: "", klass: "" })).rejects.toThrow(/invalid cron "61/);
  });
});

describe("reloading a changed schedule file", () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "kiq-cron-")), "schedule.yml");
  const job = (name: string) => `${name}:\n  cron: "0 * * * *"\n  class: Hourly\n`;
  /** What a worker start does with the file: install the plugin (no polling), then stop. */
  const boot = async (layout: CronStoreOptions["layout"]) => {
    const kiq = new Kiq({ url: testRedisUrl(), queues: ["unused"], logger: pino({ level: "silent" }) });
    await kiq.use(cron({ layout, scheduleFile: file, pollInterval: 0 })).start();
    await kiq.stop();
  };

  it("2.x: destroys the jobs the file created and no longer names, keeps the rest (load_from_hash!)", async () => {
    const store2 = new CronStore(redis, { layout: "2.x" });
    await store2.save({ name: "manual", cron: "0 * * * *", klass: "Hourly" });
    writeFileSync(file, job("kept") + job("dropped"));
    await boot("2.x");
    expect((await store2.all()).map((j) => [j.name, j.source])).toEqual([
      ["dropped", "schedule"],
      ["kept", "schedule"],
      ["manual", "dynamic"],
    ]);
    writeFileSync(file, job("kept"));
    await boot("2.x");
    expect((await store2.all()).map((j) => j.name)).toEqual(["kept", "manual"]);
    expect(await redis.exists("cron_job:default:dropped", "cron_job:default:dropped:enqueued")).toBe(0);
  });

  it("1.x: only creates and updates, as 1.8.0's load_from_hash; a bad cron anywhere in the file changes nothing", async () => {
    writeFileSync(file, job("kept") + job("dropped"));
    await boot("1.x");
    writeFileSync(file, job("kept"));
    await boot("1.x");
    expect((await store.all()).map((j) => j.name)).toEqual(["dropped", "kept"]);
    writeFileSync(file, `${job("kept")}broken:\n  cron: "61 * * * *"\n  class: X\n`);
    await expect(boot("2.x")).rejects.toThrow(/invalid cron "61/);
    expect(await redis.exists("cron_jobs:default")).toBe(0);
  });
});
