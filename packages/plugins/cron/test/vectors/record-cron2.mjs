// Records cron-2.x.json: what real sidekiq-cron 2.x (run from its sources, not in the oracle) writes
// when it saves, enqueues and polls namespaced jobs, and what its poller's start-up migration makes of
// a 1.x layout that real sidekiq-cron 1.8.0 (Debian) wrote. Run from the repository root:
//   REDIS_URL=redis://127.0.0.1:6379/15 SIDEKIQ_CRON_2_LIB=/path/to/sidekiq-cron/lib \
//     node packages/plugins/cron/test/vectors/record-cron2.mjs
// The Redis database is flushed.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Redis } from "ioredis";

const url = process.env.REDIS_URL;
const lib = process.env.SIDEKIQ_CRON_2_LIB;
if (!url || !lib) throw new Error("set REDIS_URL (a database to flush) and SIDEKIQ_CRON_2_LIB");
const oracle = new URL("../../../../../../shared/oracle/ruby-sidekiq", import.meta.url).pathname;
const fixtures = new URL("../../../../../fixtures/ruby/", import.meta.url).pathname;
const ruby = (version, script, input, extra = []) =>
  JSON.parse(
    execFileSync(oracle, [String(version), ...extra, fixtures + script], {
      input: JSON.stringify(input),
      env: { ...process.env, REDIS_URL: url },
    }).toString(),
  );
const cron2 = (input) => ruby(7, "cron2.rb", input, ["-I", lib, "-I", `${fixtures}cron2_support`]);

const redis = new Redis(url);
async function dump() {
  const out = {};
  for (const key of (await redis.keys("*")).sort()) {
    const type = await redis.type(key);
    const value =
      type === "hash"
        ? await redis.hgetall(key)
        : type === "set"
          ? (await redis.smembers(key)).sort()
          : type === "zset"
            ? await redis.zrange(key, 0, -1, "WITHSCORES")
            : await redis.lrange(key, 0, -1);
    out[key] = { type, value };
  }
  return out;
}

await redis.flushdb();
const legacy = {
  save: [
    {
      name: "nightly",
      cron: "30 2 * * *",
      class: "HardWorker",
      queue: "reports",
      args: [42, { tenant: "acme" }],
      description: "Nightly",
    },
    {
      name: "paused",
      cron: "*/5 * * * *",
      class: "Mailer",
      active_job: true,
      date_as_argument: true,
      queue_name_prefix: "app",
      queue_name_delimiter: ".",
    },
  ],
  disable: ["paused"],
  enqueue: ["nightly"],
};
ruby(6, "cron.rb", legacy);
const before = await dump();
const migrated = cron2({ migrate: true });

await redis.flushdb();
const saves = {
  available_namespaces: ["billing"],
  save: [
    {
      name: "nightly-report",
      cron: "30 2 * * *",
      class: "HardWorker",
      args: [42, { tenant: "acme" }],
      description: "Nightly",
    },
    {
      name: "ticks",
      namespace: "billing",
      cron: "*/5 * * * * *",
      class: "Unknown::Job",
      queue: "ticks",
      args: ["t"],
      retry: 5,
      date_as_argument: true,
    },
    { name: "polled", namespace: "billing", cron: "*/5 * * * * *", class: "Unknown::Job", queue: "ticks" },
    { name: "elsewhere", namespace: "nowhere", cron: "0 * * * *", class: "Unknown::Job" },
  ],
  enqueue: [["ticks", "billing"]],
  poll_at: [
    ["polled", "billing", "2026-11-22T20:12:51Z"],
    ["polled", "billing", "2026-11-22T20:12:54Z"],
  ],
};
const saved = cron2(saves);
const auto = cron2({ available_namespaces: "auto" });
await redis.quit();

writeFileSync(
  new URL("cron-2.x.json", import.meta.url),
  `${JSON.stringify(
    {
      env: {
        sidekiq_cron: saved.version,
        sidekiq: "7.3.10 (shared/oracle)",
        fugit: "1.5.2 (Debian), natural_cron_parsing_mode :strict",
      },
      migration: {
        input_1_8_0: legacy,
        keys_before: before,
        keys_after: migrated.keys,
        jobs_after: migrated.jobs,
      },
      save: { input: saves, keys: saved.keys, jobs: saved.jobs, polled: saved.polled, errors: saved.errors },
      auto_namespaces: auto.namespaces,
    },
    null,
    1,
  )}\n`,
);
