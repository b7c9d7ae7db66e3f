// Enqueue rate: kiq's Client.pushBulk against Ruby Sidekiq's Client.push_bulk (6, 7, 8) and
// BullMQ's Queue.addBulk, on one private redis-server, FLUSHALL between contenders, each contender
// in its own process. After every run the jobs are counted and read back: a run that loses or
// mangles a job fails the benchmark. Target: kiq ≥ 2× Ruby Sidekiq.
//
//   node bench/push-bulk.mjs [--jobs 100000] [--repeat 3] [--batch 1000] [--warmup 1000]
//                            [--contenders ruby-6,ruby-7,ruby-8,kiq,kiq-one-call,bullmq,ioredis]
//                            [--oracle ../shared/oracle/ruby-sidekiq]
//
// Each contender is a script that takes one JSON argument (CONFIG below, plus its own extras),
// times only its pushing and prints one JSON line: { jobs, pushed, seconds, rssPeakMb, runtime }.

import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { runContender } from "./lib/child.mjs";
import { environment } from "./lib/environment.mjs";
import { snapshotKiqBuild } from "./lib/kiq-build.mjs";
import { intOption, listOption, parseOptions } from "./lib/options.mjs";
import { startRedisServer } from "./lib/redis-server.mjs";
import { median, report } from "./lib/report.mjs";

const NAME = "push-bulk";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const QUEUE = "bench";
const JOB_CLASS = "Billing::Charge";
const DEFAULT_JOBS = 100_000;
const DEFAULT_REPEAT = 5;
const DEFAULT_BATCH = 1000;
const DEFAULT_WARMUP = 1000;
/** kiq must enqueue at least this many times as fast as Ruby Sidekiq. */
const TARGET_VS_RUBY = 2;
/** The runner that puts Sidekiq 6, 7 or 8 on Ruby's load path (see ../shared/oracle/README.md). */
const DEFAULT_ORACLE = fileURLToPath(new URL("../../shared/oracle/ruby-sidekiq", import.meta.url));
/** The payload format kiq writes (7: Float-second timestamps, as Sidekiq 6 and 7 do). */
const SIDEKIQ_VERSION_FOR_KIQ = 7;

const node = (script, extra = {}) => ({
  command: process.execPath,
  args: [`bench/contenders/${script}`],
  extra,
});
const ruby = (version, oracle) =>
  existsSync(oracle)
    ? { command: oracle, args: [String(version), "bench/ruby/push_bulk.rb"] }
    : version === 6 // without the oracle, Debian's ruby-sidekiq (6.4.1) still runs with plain ruby
      ? { command: "ruby", args: ["bench/ruby/push_bulk.rb"] }
      : undefined;

/** Every contender: how to run it and how to check that all its jobs are in Redis. */
const CONTENDERS = {
  "ruby-6": { name: "Ruby Sidekiq 6 push_bulk", run: (o) => ruby(6, o), verify: verifySidekiqQueue },
  "ruby-7": { name: "Ruby Sidekiq 7 push_bulk", run: (o) => ruby(7, o), verify: verifySidekiqQueue },
  "ruby-8": { name: "Ruby Sidekiq 8 push_bulk", run: (o) => ruby(8, o), verify: verifySidekiqQueue },
  kiq: { name: "kiq pushBulk", run: () => node("kiq-push-bulk.mjs"), verify: verifySidekiqQueue },
  "kiq-one-call": {
    name: "kiq pushBulk, one call",
    run: () => node("kiq-push-bulk.mjs", { oneCall: true }),
    verify: verifySidekiqQueue,
  },
  bullmq: { name: "BullMQ addBulk", run: () => node("bullmq-add-bulk.mjs"), verify: verifyBullmqQueue },
  // Not a product: the same payloads through bare ioredis, to show how much of kiq's time is kiq's.
  ioredis: {
    name: "bare ioredis (ceiling)",
    run: () => node("ioredis-push.mjs"),
    verify: verifySidekiqQueue,
  },
};

/** What every contender is told, besides url, jobs, batch and warmup. */
const CONFIG = { queue: QUEUE, jobClass: JOB_CLASS, sidekiqVersion: SIDEKIQ_VERSION_FOR_KIQ };

const RATIOS = [
  { of: "kiq", to: "ruby-6", target: TARGET_VS_RUBY },
  { of: "kiq", to: "ruby-7", target: TARGET_VS_RUBY },
  { of: "kiq", to: "ruby-8", target: TARGET_VS_RUBY },
  { of: "kiq", to: "bullmq" },
  { of: "kiq-one-call", to: "ruby-7" },
  { of: "kiq", to: "ioredis" },
];

async function main() {
  const values = parseOptions(process.argv.slice(2), {
    batch: { type: "string" },
    contenders: { type: "string" },
    oracle: { type: "string" },
  });
  if (values.help) {
    console.log(
      "node bench/push-bulk.mjs [--jobs N] [--repeat R] [--batch B] [--warmup W] [--contenders a,b,...] [--oracle PATH]\n" +
        `contenders: ${Object.keys(CONTENDERS).join(", ")}`,
    );
    return;
  }
  const jobs = intOption(values, "jobs", DEFAULT_JOBS);
  const repeat = intOption(values, "repeat", DEFAULT_REPEAT);
  const batch = intOption(values, "batch", DEFAULT_BATCH);
  const warmup = intOption(values, "warmup", DEFAULT_WARMUP, { min: 0 });
  const oracle = typeof values.oracle === "string" ? values.oracle : DEFAULT_ORACLE;
  const chosen = listOption(values, "contenders", Object.keys(CONTENDERS));
  for (const id of chosen) if (!(id in CONTENDERS)) throw new Error(`unknown contender ${id}`);

  const notes = [];
  const runnable = chosen.filter((id) => {
    if (CONTENDERS[id].run(oracle)) return true;
    notes.push(`${id} skipped: ${oracle} not found (give --oracle PATH)`);
    return false;
  });

  const loadBefore = loadavg()[0];
  if (loadBefore > cpus().length / 2) {
    notes.push(
      `load average was ${loadBefore.toFixed(1)} on ${cpus().length} cores at the start: figures are noisy`,
    );
  }
  const kiqBuild = snapshotKiqBuild();
  const server = await startRedisServer();
  const redis = new Redis(server.url);
  const results = new Map(
    runnable.map((id) => [id, { seconds: [], cpu: [], rss: [], runtime: "", verified: true }]),
  );
  try {
    console.log(
      `push-bulk: ${jobs.toLocaleString("en-US")} jobs × ${repeat} rounds, batches of ${batch}, ` +
        `on redis-server ${server.version} at ${server.url}`,
    );
    // Rounds rather than contender after contender: drift on a busy machine spreads over everyone.
    for (let round = 1; round <= repeat; round++) {
      for (const id of runnable) {
        const contender = CONTENDERS[id];
        const { command, args, extra = {} } = contender.run(oracle);
        const config = {
          ...CONFIG,
          url: server.url,
          jobs,
          batch,
          warmup,
          kiqModule: kiqBuild.module,
          ...extra,
        };
        await redis.flushall();
        const result = await runContender(command, [...args, JSON.stringify(config)], { cwd: ROOT });
        const problem =
          result.pushed !== jobs
            ? `reported ${result.pushed} jobs pushed, expected ${jobs}`
            : await contender.verify(redis, jobs);
        const entry = results.get(id);
        entry.seconds.push(result.seconds);
        if (typeof result.rssPeakMb === "number") entry.rss.push(result.rssPeakMb);
        if (typeof result.cpuSeconds === "number") entry.cpu.push(result.cpuSeconds);
        entry.runtime = result.runtime;
        if (problem) {
          entry.verified = false;
          console.error(`  ✗ ${contender.name}, round ${round}: ${problem}`);
        }
        console.log(
          `  round ${round}  ${contender.name.padEnd(26)} ${result.seconds.toFixed(3)} s  ` +
            `${Math.round(jobs / result.seconds).toLocaleString("en-US")} jobs/s` +
            `${problem ? "  JOBS MISSING" : "  ✓ all jobs in Redis"}`,
        );
      }
    }
    await redis.flushall();
  } finally {
    redis.disconnect();
    await server.stop();
    kiqBuild.remove();
  }

  const rows = runnable.map((id) => {
    const r = results.get(id);
    return {
      id,
      name: CONTENDERS[id].name,
      runtime: r.runtime,
      jobs,
      seconds: median(r.seconds),
      runs: r.seconds,
      cpuSeconds: r.cpu.length > 0 ? median(r.cpu) : undefined,
      rssMb: r.rss.length > 0 ? median(r.rss) : undefined,
      verified: r.verified,
    };
  });
  report({
    name: NAME,
    title: `pushBulk vs push_bulk: ${jobs.toLocaleString("en-US")} jobs, batches of ${batch}, median of ${repeat}`,
    reference: "ruby-7",
    rows,
    ratios: RATIOS,
    params: {
      jobs,
      repeat,
      batch,
      warmup,
      queue: QUEUE,
      class: JOB_CLASS,
      kiqSidekiqFormat: SIDEKIQ_VERSION_FOR_KIQ,
    },
    environment: {
      ...environment(server.version),
      kiqBuild: kiqBuild.sha,
      loadBefore,
      loadAfter: loadavg()[0],
    },
    notes: [
      ...notes,
      "seconds: median of the rounds, pushing only (boot, connect, building args and one warm-up batch excluded)",
      "best jobs/s: the fastest round; CPU s: the contender process's CPU time while pushing (median)",
      "RSS MB: peak resident set of the contender's own process (median over rounds)",
    ],
  });
  if (rows.some((row) => !row.verified)) {
    console.error("\npush-bulk: some contender lost jobs; its figures are not valid");
    process.exitCode = 1;
  }
}

/** Sidekiq's layout: `queues` names the queue, `queue:<name>` holds exactly N well-formed jobs. */
async function verifySidekiqQueue(redis, jobs) {
  const [known, length] = await Promise.all([redis.sismember("queues", QUEUE), redis.llen(`queue:${QUEUE}`)]);
  if (known !== 1) return `"queues" does not name ${QUEUE}`;
  if (length !== jobs) return `queue:${QUEUE} holds ${length} jobs, expected ${jobs}`;
  const seen = new Uint8Array(jobs);
  const jids = new Set();
  for (const payload of await redis.lrange(`queue:${QUEUE}`, 0, -1)) {
    const job = JSON.parse(payload);
    const [i, user, extra] = job.args ?? [];
    if (job.class !== JOB_CLASS || job.queue !== QUEUE) return `job with wrong class or queue: ${payload}`;
    if (!Number.isInteger(i) || i < 0 || i >= jobs || user !== `user-${i}` || extra?.amount !== "19.99") {
      return `job with wrong args: ${payload}`;
    }
    if (!/^[0-9a-f]{24}$/.test(job.jid) || jids.has(job.jid)) return `bad or repeated jid: ${payload}`;
    if (typeof job.created_at !== "number" || typeof job.enqueued_at !== "number") {
      return `job without created_at/enqueued_at: ${payload}`;
    }
    if (seen[i]) return `args index ${i} pushed twice`;
    seen[i] = 1;
    jids.add(job.jid);
  }
  return undefined;
}

/** BullMQ's layout: `bull:<name>:wait` lists N ids, and each id's hash carries its data. */
async function verifyBullmqQueue(redis, jobs) {
  const wait = `bull:${QUEUE}:wait`;
  const length = await redis.llen(wait);
  if (length !== jobs) return `${wait} holds ${length} jobs, expected ${jobs}`;
  const ids = await redis.lrange(wait, 0, -1);
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hmget(`bull:${QUEUE}:${id}`, "name", "data");
  const seen = new Uint8Array(jobs);
  for (const [error, [name, data]] of await pipeline.exec()) {
    if (error) return String(error);
    const [i, user, extra] = JSON.parse(data ?? "{}").args ?? [];
    if (name !== JOB_CLASS || user !== `user-${i}` || extra?.amount !== "19.99" || seen[i]) {
      return `job with wrong name or data: ${name} ${data}`;
    }
    seen[i] = 1;
  }
  return undefined;
}

await main();
