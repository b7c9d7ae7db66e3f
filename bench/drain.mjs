// Worker drain rate: how fast a worker empties a queue of N no-op jobs. kiq's Kiq worker, with the
// basic fetch and with @kiq/tracker's reliable fetch, against Ruby Sidekiq's server (6.4.1, 7.3.10,
// 8.1.7) and BullMQ's Worker, each at its default concurrency and at a tuned one, on one private
// redis-server, FLUSHALL between contenders, each contender in its own process. Targets: kiq ≥ 10×
// Ruby Sidekiq; the reliable fetch within 25 % of the basic one.
//
//   node bench/drain.mjs [--jobs 100000] [--repeat 3]
//                        [--contenders ruby-6,ruby-6-tuned,ruby-7,ruby-7-tuned,ruby-8,ruby-8-tuned,
//                                      kiq,kiq-tuned,kiq-reliable,kiq-reliable-tuned,bullmq]
//                        [--kiq-concurrency 50] [--ruby-concurrency 25] [--bullmq-concurrency 50]
//                        [--bullmq-keep-completed] [--oracle ../shared/oracle/ruby-sidekiq]
//
// Per contender and round: FLUSHALL, push the N jobs (untimed: raw LPUSH of Sidekiq payloads in
// the format of the contender's Sidekiq version, or BullMQ's addBulk), start the worker process,
// which times itself from its framework's start event to its N-th perform and prints one JSON line
// { jobs, performed, distinct, duplicates, seconds, firstJobMs, rssPeakMb, runtime }; then check
// Redis: the queue is empty and no other list holds a job (the reliable fetch's in-flight lists),
// stat:processed = N, nothing failed, retried or dead (BullMQ: wait and active empty, nothing
// failed). A run that lost or repeated a job fails the benchmark.

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { runContender } from "./lib/child.mjs";
import { environment } from "./lib/environment.mjs";
import { snapshotKiqBuild } from "./lib/kiq-build.mjs";
import { intOption, listOption, parseOptions } from "./lib/options.mjs";
import { startRedisServer } from "./lib/redis-server.mjs";
import { median, report } from "./lib/report.mjs";

const NAME = "drain";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const QUEUE = "bench";
const JOB_CLASS = "Bench::Noop";
const DEFAULT_JOBS = 100_000;
/** Rounds: fewer than push-bulk's 5, since the six Ruby rows take ~15 s each at 100,000 jobs. */
const DEFAULT_REPEAT = 3;
/** Jobs per LPUSH (and per addBulk) while filling the queue. */
const PUSH_BATCH = 1000;
/** kiq must drain at least this many times as fast as Ruby Sidekiq. */
const TARGET_VS_RUBY = 10;
/** The reliable fetch must keep at least this share of the basic fetch's drain rate. */
const TARGET_RELIABLE_VS_BASIC = 0.75;
/** Tuned concurrencies (the defaults are each framework's own: kiq 5, Sidekiq 6 10, Sidekiq 7/8 5). */
const DEFAULT_KIQ_TUNED = 50;
const DEFAULT_RUBY_TUNED = 25;
const DEFAULT_BULLMQ = 50;
/** A worker that performs nothing for this long has lost a job: it reports and the round fails. */
const STALL_SECONDS = 30;
/** The runner that puts Sidekiq 6, 7 or 8 on Ruby's load path (see ../shared/oracle/README.md). */
const DEFAULT_ORACLE = fileURLToPath(new URL("../../shared/oracle/ruby-sidekiq", import.meta.url));
const DRAIN_RB = fileURLToPath(new URL("ruby/drain.rb", import.meta.url));
/** The payload format kiq's worker is told to write (its retries, heartbeat): Sidekiq 7's. */
const SIDEKIQ_VERSION_FOR_KIQ = 7;
/** Each framework's default concurrency, as its own documentation gives it. */
const DEFAULT_CONCURRENCY = { kiq: 5, 6: 10, 7: 5, 8: 5 };

/** Every contender: its row name, how to run it, the jobs it drains, and how to check Redis after. */
function contenders({ oracle, kiqTuned, rubyTuned, bullmqConcurrency, keepCompleted }) {
  const ruby = (version, concurrency) => ({
    name: `Ruby Sidekiq ${version}, -c ${concurrency}${concurrency === DEFAULT_CONCURRENCY[version] ? " (default)" : ""}`,
    concurrency,
    format: version,
    run: (config) => {
      const env = `KIQ_BENCH_DRAIN=${JSON.stringify(config)}`;
      const server = ["-r", DRAIN_RB, "-q", QUEUE, "-c", String(concurrency)];
      if (existsSync(oracle))
        return { command: "env", args: [env, oracle, String(version), "--server", ...server] };
      // Without the oracle, Debian's ruby-sidekiq (6.4.1) still runs with its own sidekiq command.
      return version === 6 ? { command: "env", args: [env, "sidekiq", ...server] } : undefined;
    },
  });
  const kiq = (concurrency, reliable = false) => ({
    name: `kiq${reliable ? " reliable fetch" : ""}, concurrency ${concurrency}${concurrency === DEFAULT_CONCURRENCY.kiq ? " (default)" : ""}`,
    concurrency,
    format: SIDEKIQ_VERSION_FOR_KIQ,
    extra: { reliable },
    run: (config) => ({
      command: process.execPath,
      args: ["bench/contenders/kiq-drain.mjs", JSON.stringify(config)],
    }),
  });
  return {
    "ruby-6": ruby(6, DEFAULT_CONCURRENCY[6]),
    "ruby-6-tuned": ruby(6, rubyTuned),
    "ruby-7": ruby(7, DEFAULT_CONCURRENCY[7]),
    "ruby-7-tuned": ruby(7, rubyTuned),
    "ruby-8": ruby(8, DEFAULT_CONCURRENCY[8]),
    "ruby-8-tuned": ruby(8, rubyTuned),
    kiq: kiq(DEFAULT_CONCURRENCY.kiq),
    "kiq-tuned": kiq(kiqTuned),
    "kiq-reliable": kiq(DEFAULT_CONCURRENCY.kiq, true),
    "kiq-reliable-tuned": kiq(kiqTuned, true),
    bullmq: {
      name: `BullMQ Worker, concurrency ${bullmqConcurrency}`,
      concurrency: bullmqConcurrency,
      format: "bullmq",
      extra: { removeOnComplete: !keepCompleted },
      run: (config) => ({
        command: process.execPath,
        args: ["bench/contenders/bullmq-drain.mjs", JSON.stringify(config)],
      }),
    },
  };
}

/** Tuned rows against tuned rows, defaults against defaults (BullMQ has one row: its default is 1). */
const RATIOS = [
  { of: "kiq-tuned", to: "ruby-6-tuned", target: TARGET_VS_RUBY },
  { of: "kiq-tuned", to: "ruby-7-tuned", target: TARGET_VS_RUBY },
  { of: "kiq-tuned", to: "ruby-8-tuned", target: TARGET_VS_RUBY },
  { of: "kiq-tuned", to: "bullmq" },
  { of: "kiq", to: "ruby-6", target: TARGET_VS_RUBY },
  { of: "kiq", to: "ruby-7", target: TARGET_VS_RUBY },
  { of: "kiq", to: "ruby-8", target: TARGET_VS_RUBY },
  { of: "kiq-reliable", to: "kiq", target: TARGET_RELIABLE_VS_BASIC },
  { of: "kiq-reliable-tuned", to: "kiq-tuned", target: TARGET_RELIABLE_VS_BASIC },
  { of: "kiq-reliable-tuned", to: "ruby-7-tuned", target: TARGET_VS_RUBY },
  { of: "kiq-reliable", to: "ruby-7", target: TARGET_VS_RUBY },
];

async function main() {
  const values = parseOptions(process.argv.slice(2), {
    contenders: { type: "string" },
    oracle: { type: "string" },
    "kiq-concurrency": { type: "string" },
    "ruby-concurrency": { type: "string" },
    "bullmq-concurrency": { type: "string" },
    "bullmq-keep-completed": { type: "boolean" },
  });
  const settings = {
    oracle: typeof values.oracle === "string" ? values.oracle : DEFAULT_ORACLE,
    kiqTuned: intOption(values, "kiq-concurrency", DEFAULT_KIQ_TUNED),
    rubyTuned: intOption(values, "ruby-concurrency", DEFAULT_RUBY_TUNED),
    bullmqConcurrency: intOption(values, "bullmq-concurrency", DEFAULT_BULLMQ),
    keepCompleted: values["bullmq-keep-completed"] === true,
  };
  const CONTENDERS = contenders(settings);
  if (values.help) {
    console.log(
      "node bench/drain.mjs [--jobs N] [--repeat R] [--contenders a,b,...] [--kiq-concurrency C]\n" +
        "                     [--ruby-concurrency C] [--bullmq-concurrency C] [--bullmq-keep-completed] [--oracle PATH]\n" +
        `contenders: ${Object.keys(CONTENDERS).join(", ")}`,
    );
    return;
  }
  const jobs = intOption(values, "jobs", DEFAULT_JOBS);
  const repeat = intOption(values, "repeat", DEFAULT_REPEAT);
  const chosen = listOption(values, "contenders", Object.keys(CONTENDERS));
  for (const id of chosen) if (!(id in CONTENDERS)) throw new Error(`unknown contender ${id}`);
  if (values.warmup !== undefined)
    console.error("(drain takes no --warmup: every worker starts cold, see README)");

  const notes = [];
  const runnable = chosen.filter((id) => {
    if (CONTENDERS[id].run({})) return true;
    notes.push(`${id} skipped: ${settings.oracle} not found (give --oracle PATH)`);
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
    runnable.map((id) => [
      id,
      { seconds: [], cpu: [], rss: [], firstJobMs: [], runtime: "", verified: true },
    ]),
  );
  try {
    console.log(
      `drain: ${jobs.toLocaleString("en-US")} no-op jobs × ${repeat} rounds on redis-server ${server.version} at ${server.url}`,
    );
    // Rounds rather than contender after contender: drift on a busy machine spreads over everyone.
    for (let round = 1; round <= repeat; round++) {
      for (const id of runnable) {
        const contender = CONTENDERS[id];
        await redis.flushall();
        await fill(redis, server.url, contender.format, jobs);
        const config = {
          url: server.url,
          jobs,
          queue: QUEUE,
          jobClass: JOB_CLASS,
          concurrency: contender.concurrency,
          sidekiqVersion: SIDEKIQ_VERSION_FOR_KIQ,
          stallSeconds: STALL_SECONDS,
          kiqModule: kiqBuild.module,
          trackerModule: kiqBuild.trackerModule,
          ...contender.extra,
        };
        const { command, args } = contender.run(config);
        const result = await runContender(command, args, { cwd: ROOT });
        const problem =
          tallyProblem(result, jobs) ??
          (contender.format === "bullmq"
            ? await verifyBullmq(redis, jobs, contender.extra.removeOnComplete)
            : await verifySidekiq(redis, jobs));
        const entry = results.get(id);
        entry.runtime = result.runtime;
        if (problem) {
          entry.verified = false;
          console.error(`  ✗ ${contender.name}, round ${round}: ${problem}`);
        }
        if (typeof result.seconds === "number") {
          entry.seconds.push(result.seconds);
          entry.firstJobMs.push(result.firstJobMs);
          if (typeof result.cpuSeconds === "number") entry.cpu.push(result.cpuSeconds);
          if (typeof result.rssPeakMb === "number") entry.rss.push(result.rssPeakMb);
        }
        console.log(
          `  round ${round}  ${contender.name.padEnd(34)} ` +
            (typeof result.seconds === "number"
              ? `${result.seconds.toFixed(3)} s  ${Math.round(jobs / result.seconds).toLocaleString("en-US")} jobs/s  ` +
                `CPU ${(result.cpuSeconds ?? 0).toFixed(2)} s  ${(result.rssPeakMb ?? 0).toFixed(0)} MB`
              : "did not finish") +
            (problem ? "  FAILED" : "  ✓ each job ran once"),
        );
      }
    }
    await redis.flushall();
  } finally {
    redis.disconnect();
    await server.stop();
    kiqBuild.remove();
  }

  const rows = runnable
    .filter((id) => results.get(id).seconds.length > 0)
    .map((id) => {
      const r = results.get(id);
      return {
        id,
        name: CONTENDERS[id].name,
        runtime: r.runtime,
        concurrency: CONTENDERS[id].concurrency,
        jobs,
        seconds: median(r.seconds),
        runs: r.seconds,
        cpuSeconds: r.cpu.length > 0 ? median(r.cpu) : undefined,
        firstJobMs: round(median(r.firstJobMs), 1),
        rssMb: r.rss.length > 0 ? median(r.rss) : undefined,
        verified: r.verified,
      };
    });
  report({
    name: NAME,
    title: `drain: ${jobs.toLocaleString("en-US")} no-op jobs from one queue, median of ${repeat}`,
    reference: "ruby-6",
    rows,
    ratios: RATIOS,
    params: {
      jobs,
      repeat,
      queue: QUEUE,
      class: JOB_CLASS,
      kiqSidekiqFormat: SIDEKIQ_VERSION_FOR_KIQ,
      concurrency: Object.fromEntries(runnable.map((id) => [id, CONTENDERS[id].concurrency])),
      bullmqRemoveOnComplete: !settings.keepCompleted,
      stallSeconds: STALL_SECONDS,
    },
    environment: {
      ...environment(server.version),
      kiqBuild: kiqBuild.sha,
      loadBefore,
      loadAfter: loadavg()[0],
    },
    notes: [
      ...notes,
      "seconds: median of the rounds, from the worker's start event (kiq 'startup', Sidekiq :startup, BullMQ run()) to its N-th perform; pushing, boot and connecting excluded",
      "best jobs/s: the fastest round; CPU s: the worker process's CPU time (user + system) over the same span (median), Redis's share not included",
      "RSS MB: peak resident set of the worker's own process (median over rounds)",
      "ratios: tuned rows against tuned rows, default rows against default rows; reliable fetch against the basic fetch at the same concurrency",
    ],
  });
  if (rows.length < runnable.length || rows.some((row) => !row.verified)) {
    console.error("\ndrain: some contender lost, repeated or failed jobs; its figures are not valid");
    process.exitCode = 1;
  }
}

/** Puts N jobs on the queue before the worker starts, in the shape the contender reads. */
async function fill(redis, url, format, jobs) {
  if (format === "bullmq") {
    const { hostname, port } = new URL(url);
    const queue = new Queue(QUEUE, { connection: { host: hostname, port: Number(port) } });
    try {
      for (let start = 0; start < jobs; start += PUSH_BATCH) {
        const batch = [];
        for (let i = start; i < Math.min(start + PUSH_BATCH, jobs); i++) {
          batch.push({ name: JOB_CLASS, data: { args: [i] } });
        }
        await queue.addBulk(batch);
      }
    } finally {
      await queue.close();
    }
    return;
  }
  // What Sidekiq's Client.push writes (key order, retry: true), timestamps in the version's unit.
  const now = Date.now();
  const stamp = format === 8 ? String(now) : rubyFloat(now / 1000);
  const jids = randomBytes(12 * jobs).toString("hex");
  const head = `{"retry":true,"queue":"${QUEUE}","class":"${JOB_CLASS}","args":[`;
  const tail = `,"created_at":${stamp},"enqueued_at":${stamp}}`;
  for (let start = 0; start < jobs; start += PUSH_BATCH) {
    const payloads = [];
    for (let i = start; i < Math.min(start + PUSH_BATCH, jobs); i++) {
      payloads.push(`${head}${i}],"jid":"${jids.slice(24 * i, 24 * i + 24)}"${tail}`);
    }
    await redis
      .multi()
      .sadd("queues", QUEUE)
      .lpush(`queue:${QUEUE}`, ...payloads)
      .exec();
  }
}

/** Ruby's Float#to_s for epoch seconds (fixed notation there): "1763888287.5", "1763888287.0". */
function rubyFloat(n) {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** The worker's own tally: every index 0…N-1 performed exactly once, and the clock stopped. */
function tallyProblem(result, jobs) {
  if (typeof result.seconds !== "number") {
    return `stalled: ${result.performed} of ${jobs} jobs performed, then nothing for ${STALL_SECONDS} s`;
  }
  if (result.performed !== jobs) return `performed ${result.performed} jobs, expected ${jobs}`;
  if (result.duplicates !== 0) return `${result.duplicates} jobs performed more than once`;
  if (result.distinct !== jobs) return `${jobs - result.distinct} jobs never performed`;
  if (result.outOfRange !== 0) return `${result.outOfRange} jobs with unexpected args`;
  return undefined;
}

/**
 * Sidekiq's layout after the worker stopped: queue empty, no list left holding a job (Redis drops
 * empty lists, so any list key is one: an in-flight list not emptied), stat:processed = N, nothing failed.
 */
async function verifySidekiq(redis, jobs) {
  const [length, [, lists], processed, failed, retries, dead] = await Promise.all([
    redis.llen(`queue:${QUEUE}`),
    redis.scan(0, "TYPE", "list", "COUNT", 1000),
    redis.get("stat:processed"),
    redis.get("stat:failed"),
    redis.zcard("retry"),
    redis.zcard("dead"),
  ]);
  if (length !== 0) return `queue:${QUEUE} still holds ${length} jobs`;
  if (lists.length > 0) return `lists still hold jobs: ${lists.join(", ")}`;
  if (Number(processed) !== jobs) return `stat:processed is ${processed}, expected ${jobs}`;
  if (Number(failed ?? 0) !== 0) return `stat:failed is ${failed}`;
  if (retries !== 0 || dead !== 0) return `${retries} jobs in the retry set, ${dead} in the dead set`;
  return undefined;
}

/** BullMQ's layout after the worker closed: wait and active empty, nothing failed, completed as configured. */
async function verifyBullmq(redis, jobs, removeOnComplete) {
  const key = (name) => `bull:${QUEUE}:${name}`;
  const [wait, active, failed, completed] = await Promise.all([
    redis.llen(key("wait")),
    redis.llen(key("active")),
    redis.zcard(key("failed")),
    redis.zcard(key("completed")),
  ]);
  if (wait !== 0 || active !== 0) return `${wait} jobs still waiting, ${active} active`;
  if (failed !== 0) return `${failed} jobs failed`;
  const expected = removeOnComplete ? 0 : jobs;
  if (completed !== expected) return `${completed} jobs in the completed set, expected ${expected}`;
  return undefined;
}

function round(n, digits) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

await main();
