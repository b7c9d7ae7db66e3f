import { readFileSync } from "node:fs";
import { Client } from "@kiq/core";
import {
  CRON_JOBS_KEY,
  type CronJobDefinition,
  CronPoller,
  CronStore,
  enqueuedKey,
  jidHistoryKey,
  jobKeys,
  migrateLegacyJobs,
} from "@kiq/cron";
import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "../../../../test/support/paths.js";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { runRubyScript, startRubySidekiq } from "../../../../test/support/ruby.js";

// Recorded from sidekiq-cron 2.3.1's sources (2.x is not in the oracle; see vectors/record-cron2.mjs).
const VECTOR = JSON.parse(readFileSync(new URL("vectors/cron-2.x.json", import.meta.url), "utf8"));
type Dump = Record<string, { type: string; value: unknown }>;
const saved: Dump = VECTOR.save.keys;
const migrated: Dump = VECTOR.migration.keys_after;
const MS_PER_SECOND = 1000;
const QUEUE = "cronticks";

/** A key's recorded value; a key missing from the vector is the test's mistake. */
function recorded<T>(dump: Dump, key: string): T {
  const entry = dump[key];
  if (!entry) throw new Error(`the vector has no key ${key}`);
  return entry.value as T;
}
/** The save-time :enqueued entry Ruby wrote for a job: [tick member, save time]. */
const saveEntry = (key: string) => recorded<[string, number][]>(saved, key).at(-1) ?? ["", 0];

/** The vector's jobs as kiq definitions (HardWorker's sidekiq_options are Ruby-side: kiq says them as options). */
const definitions: CronJobDefinition[] = [
  {
    name: "nightly-report",
    cron: "30 2 * * *",
    klass: "HardWorker",
    args: [42, { tenant: "acme" }],
    description: "Nightly",
    queue: "reports",
    options: { retry: 3 },
  },
  {
    name: "ticks",
    namespace: "billing",
    cron: "*/5 * * * * *",
    klass: "Unknown::Job",
    queue: "ticks",
    args: ["t"],
    retry: 5,
    dateAsArgument: true,
  },
  { name: "polled", namespace: "billing", cron: "*/5 * * * * *", klass: "Unknown::Job", queue: "ticks" },
];

let redis: Redis;
let store: CronStore;
beforeEach(async () => {
  redis = await freshRedis();
  store = new CronStore(redis, { layout: "2.x", availableNamespaces: ["billing"] });
});
afterAll(closeAll);

const pusher = (conn: Redis) => {
  const client = new Client({ redis: conn, sidekiqVersion: 7 });
  return (item: Parameters<Client["push"]>[0]) => client.push(item);
};

describe("sidekiq-cron 2.x's namespaced layout (layout: '2.x')", () => {
  it("saves the keys and hash fields sidekiq-cron 2.3.1 writes: cron_jobs:<ns>, cron_job:<ns>:<name>, 1/0 booleans, namespace, source, retry", async () => {
    for (const def of definitions) {
      const keys = jobKeys("2.x", def.name, def.namespace);
      const [member, score] = saveEntry(keys.enqueued);
      await store.save(def, new Date(score * MS_PER_SECOND));
      const expected = { ...recorded<Record<string, string>>(saved, keys.hash), last_enqueue_time: "" };
      expect(await redis.hgetall(keys.hash), def.name).toEqual(expected);
      expect(await redis.zrange(keys.enqueued, 0, -1), def.name).toEqual([member]);
    }
    expect((await redis.smembers("cron_jobs:billing")).sort()).toEqual(saved["cron_jobs:billing"]?.value);
    expect(await redis.smembers("cron_jobs:default")).toEqual(["cron_job:default:nightly-report"]);
    expect(await redis.exists(CRON_JOBS_KEY)).toBe(0);
    expect((await store.all("*")).map((j) => `${j.namespace}/${j.name}`)).toEqual([
      "billing/polled",
      "billing/ticks",
      "default/nightly-report",
    ]);
    expect((await store.all()).map((j) => j.name)).toEqual(["nightly-report"]);
  });

  it("refuses a namespace outside availableNamespaces (2.3 would silently refile it under default) and '*'", async () => {
    await expect(
      store.save({ ...definitions[2], namespace: "nowhere" } as CronJobDefinition),
    ).rejects.toThrow(/namespace "nowhere" is not in availableNamespaces/);
    expect(() => new CronStore(redis, { layout: "2.x", namespace: "*" })).toThrow(/"\*" is not a namespace/);
    expect(() => new CronStore(redis, { namespace: "billing" })).toThrow(/need layout "2.x"/);
    expect(await redis.dbsize()).toBe(0);
  });

  it("enqueues as 2.3.1 does: the message with retry, last_enqueue_time in %z, the jid history with Time#to_s", async () => {
    for (const def of definitions) await store.save(def);
    const poller = new CronPoller(store, pusher(redis));
    expect(await poller.enqueueNow("ticks", "billing")).toBe(true);
    const [ours] = await redis.lrange("queue:ticks", 0, -1);
    const [theirs] = recorded<string[]>(saved, "queue:ticks");
    const shape = (payload: string) => {
      const job = JSON.parse(payload);
      return { keys: Object.keys(job), retry: job.retry, args0: job.args[0], dateArg: typeof job.args[1] };
    };
    expect(shape(ours ?? "{}")).toEqual(shape(theirs ?? ""));
    const [history] = await store.jidHistory("ticks", "billing");
    const [rubyHistory] = recorded<string[]>(saved, "cron_job:billing:ticks:jid_history").map((s) =>
      JSON.parse(s),
    );
    expect(Object.keys(history ?? {})).toEqual(Object.keys(rubyHistory));
    expect(history?.enqueued).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(rubyHistory.enqueued).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(await redis.hget("cron_job:billing:ticks", "last_enqueue_time")).toMatch(/ \+0000$/);
  });

  it("polls every available namespace, claiming a tick in cron_job:<ns>:<name>:enqueued as should_enqueue? does", async () => {
    const polled = definitions[2] as CronJobDefinition;
    const keys = jobKeys("2.x", "polled", "billing");
    await store.save(polled, new Date(saveEntry(keys.enqueued)[1] * MS_PER_SECOND));
    const poller = new CronPoller(store, pusher(redis));
    // The vector's should_enqueue? answers: true at 20:12:51, false again at 20:12:54 (same tick).
    const [first, second] = (VECTOR.save.polled as [string, boolean][]).map(([, answer]) => answer);
    expect(await poller.poll(new Date("2026-11-22T20:12:51Z"))).toEqual(first ? ["polled"] : []);
    expect(await poller.poll(new Date("2026-11-22T20:12:54Z"))).toEqual(second ? ["polled"] : []);
    const rubySet = recorded<[string, number][]>(saved, keys.enqueued);
    const ours = await redis.zrange(keys.enqueued, 0, -1, "WITHSCORES");
    expect([ours[0], Number(ours[1])]).toEqual(rubySet[0]);
    // A namespace the store does not read is not polled (2.3's default: only the listed ones).
    const defaultOnly = new CronStore(redis, { layout: "2.x" });
    expect(await new CronPoller(defaultOnly, pusher(redis)).poll(new Date("2026-11-22T20:13:01Z"))).toEqual(
      [],
    );
  });

  it("finds namespaces with availableNamespaces 'auto' as 2.x's :auto does (KEYS cron_jobs:*)", async () => {
    for (const def of definitions) await store.save(def);
    const auto = new CronStore(redis, { layout: "2.x", availableNamespaces: "auto" });
    expect((await auto.namespaces()).sort()).toEqual([...VECTOR.auto_namespaces].sort());
  });
});

describe("the 2.x poller's start-up migration of a 1.x layout", () => {
  it("moves what real sidekiq-cron 1.8.0 wrote as 2.3.1's migration does, leaving the 1.x keys behind", async () => {
    await runRubyScript(6, rubyFixture("cron.rb"), VECTOR.migration.input_1_8_0);
    const before: Record<string, Record<string, string>> = {};
    for (const name of ["nightly", "paused"]) before[name] = await redis.hgetall(`cron_job:${name}`);
    const at = new Date();
    expect(await migrateLegacyJobs(store, at)).toEqual(["nightly", "paused"]);

    expect(await redis.exists(CRON_JOBS_KEY)).toBe(0);
    expect((await redis.smembers("cron_jobs:default")).sort()).toEqual(migrated["cron_jobs:default"]?.value);
    for (const name of ["nightly", "paused"]) {
      const theirs = recorded<Record<string, string>>(migrated, `cron_job:default:${name}`);
      // The last enqueue time is this run's (Ruby enqueued `nightly` moments ago).
      const expected = {
        ...theirs,
        last_enqueue_time: name === "nightly" ? expect.stringMatching(/ \+0000$/) : "",
      };
      expect(await redis.hgetall(`cron_job:default:${name}`), name).toEqual(expected);
      expect(await redis.hgetall(`cron_job:${name}`), `${name}: 1.x hash left as it was`).toEqual(
        before[name],
      );
      expect(await redis.exists(enqueuedKey(name), jidHistoryKey(name))).toBeGreaterThan(0);
    }
    // A fresh :enqueued with the save-time entry: migrating never fires the tick that just passed.
    expect(await redis.zrange("cron_job:default:paused:enqueued", 0, -1)).toHaveLength(1);
    expect(await redis.exists("cron_job:default:nightly:jid_history")).toBe(0);
    const [nightly] = await store.all();
    const rubyText = before.nightly?.last_enqueue_time ?? "";
    expect(nightly?.lastEnqueueTime?.toISOString()).toBe(
      new Date(rubyText.replace(" +0000", "Z").replace(" ", "T")).toISOString(),
    );
  });

  it("a 1.x Ruby poller still running, even re-saving its jobs, and kiq 2.x pollers enqueue each tick once", async () => {
    const job = {
      name: "every-second",
      cron: "* * * * * *",
      class: "Conformance::Tick",
      queue: QUEUE,
      args: ["t"],
    };
    await runRubyScript(6, rubyFixture("cron.rb"), { save: [job] });
    const newEnqueued = jobKeys("2.x", job.name).enqueued;
    // Save-time entries mark a tick as taken without anyone enqueueing it; they are not claims.
    const saveEntries = await redis.zrange(enqueuedKey(job.name), 0, -1);
    const server = startRubySidekiq(6, { requireFile: rubyFixture("cron_server.rb"), queues: ["unused"] });
    const conns = [redis.duplicate(), redis.duplicate()];
    const errors: unknown[] = [];
    const logger = { error: (obj: unknown) => errors.push(obj) };
    const pollers = conns.map(
      (c) => new CronPoller(new CronStore(c, { layout: "2.x" }), pusher(c), { logger }),
    );
    const nodeEnqueued: string[] = [];
    const pollFor = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        for (const names of await Promise.all(pollers.map((p) => p.poll()))) nodeEnqueued.push(...names);
        await new Promise((r) => setTimeout(r, 400 * Math.random()));
      }
    };
    let resavedAt = 0;
    try {
      await new Promise((r) => setTimeout(r, 2000));
      expect(await migrateLegacyJobs(new CronStore(conns[0] as Redis, { layout: "2.x" }))).toEqual([
        job.name,
      ]);
      saveEntries.push(...(await redis.zrange(newEnqueued, 0, -1)));
      await pollFor(2000);
      // A 1.x process booting again re-saves its schedule: the job is back in cron_jobs, its poller fires it.
      resavedAt = Date.now();
      await runRubyScript(6, rubyFixture("cron.rb"), { save: [job] });
      await pollFor(4000);
      server.assertAlive();
    } finally {
      await server.stop();
    }
    // Every tick anyone claimed: Ruby claims in the 1.x set, kiq in the 2.x one and the 1.x one while it exists.
    const claimedTicks = new Set<string>();
    for (const [key, saveEntry] of [
      [enqueuedKey(job.name), saveEntries[0]],
      [newEnqueued, saveEntries[1]],
    ]) {
      for (const tick of await redis.zrange(key ?? "", 0, -1)) if (tick !== saveEntry) claimedTicks.add(tick);
    }
    const pushed = await redis.llen(`queue:${QUEUE}`);
    expect(errors).toEqual([]);
    expect(pushed, server.output()).toBe(claimedTicks.size);
    expect(nodeEnqueued.length, "kiq's pollers won some ticks").toBeGreaterThan(0);
    const rubyAfterResave = (await redis.lrange(jidHistoryKey(job.name), 0, -1))
      .map((s) => Date.parse(JSON.parse(s).enqueued.replace(" +0000", "Z").replace(" ", "T")))
      .filter((t) => t >= Math.floor(resavedAt / MS_PER_SECOND) * MS_PER_SECOND);
    expect(rubyAfterResave.length, "Ruby's 1.x poller kept enqueueing after the re-save").toBeGreaterThan(0);
  }, 40_000);
});
