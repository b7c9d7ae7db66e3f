// kiq's side of bench/drain.mjs: a Kiq worker on queue QUEUE runs the JOBS no-op jobs that
// bench/drain.mjs pushed before starting this process, then stops and prints one JSON line.
// The clock starts at kiq's "startup" lifecycle event (imports, connecting and building the worker
// are before it; Ruby's row starts at Sidekiq's own :startup) and stops when the JOBS-th handler
// has run. Each handler only ticks a byte for its args[0] in memory, so counting costs no Redis
// command; the tally proves every job ran exactly once, and bench/drain.mjs checks Redis afterwards.
// With `reliable`, the worker fetches through @kiq/tracker's reliable fetch (the snapshot's copy).
// Its one argument is the JSON config bench/drain.mjs passes (see CONFIG there).

import { pino } from "pino";

const {
  url,
  jobs,
  queue,
  jobClass,
  concurrency,
  sidekiqVersion,
  stallSeconds,
  kiqModule,
  trackerModule,
  reliable,
} = JSON.parse(process.argv[2]);
// kiqModule: the snapshot of packages/core/dist that bench/lib/kiq-build.mjs took for this run.
const { Kiq, defineJob, KIQ_VERSION } = await import(kiqModule ?? "../../packages/core/dist/index.js");
const { tracker } = reliable
  ? await import(trackerModule ?? "../../packages/plugins/tracker/dist/index.js")
  : { tracker: undefined };

const seen = new Uint8Array(jobs);
let performed = 0;
let duplicates = 0;
let outOfRange = 0;
let startedAt = 0;
let firstJobAt = 0;
let finishedAt = 0;
let cpuStarted;
let cpuUsed;
let lastProgressAt = 0;
let finish;
const finished = new Promise((resolve) => {
  finish = resolve;
});

const noop = defineJob(jobClass, (i) => {
  if (performed === 0) firstJobAt = performance.now();
  if (Number.isInteger(i) && i >= 0 && i < jobs) {
    if (seen[i]++ > 0) duplicates++;
  } else outOfRange++;
  if (++performed === jobs) {
    finishedAt = performance.now();
    cpuUsed = process.cpuUsage(cpuStarted);
    finish();
  }
});

const kiq = new Kiq({
  url,
  concurrency,
  queues: [queue],
  sidekiqVersion,
  logger: pino({ level: "warn" }),
  jobs: [noop],
});
if (tracker) kiq.use(tracker());
kiq.on("startup", () => {
  startedAt = performance.now();
  cpuStarted = process.cpuUsage();
  lastProgressAt = startedAt;
});

// A lost job would leave the worker idle forever: give up after stallSeconds without progress.
let lastCount = 0;
const watchdog = setInterval(() => {
  if (performed !== lastCount) {
    lastCount = performed;
    lastProgressAt = performance.now();
  } else if (startedAt > 0 && performance.now() - lastProgressAt > stallSeconds * 1000) {
    finish();
  }
}, 500);

const rssBefore = process.memoryUsage().rss;
await kiq.start();
await finished;
clearInterval(watchdog);
await kiq.stop();

let distinct = 0;
for (let i = 0; i < jobs; i++) if (seen[i] > 0) distinct++;
console.log(
  JSON.stringify({
    contender: "kiq",
    runtime: `node ${process.versions.node}, kiq ${KIQ_VERSION} (Sidekiq ${sidekiqVersion} format)${reliable ? ", @kiq/tracker reliable fetch" : ""}`,
    concurrency,
    jobs,
    performed,
    distinct,
    duplicates,
    outOfRange,
    seconds: finishedAt > 0 ? (finishedAt - startedAt) / 1000 : null,
    cpuSeconds: cpuUsed ? (cpuUsed.user + cpuUsed.system) / 1e6 : null,
    firstJobMs: firstJobAt > 0 ? firstJobAt - startedAt : null,
    rssBeforeMb: rssBefore / 2 ** 20,
    rssPeakMb: process.resourceUsage().maxRSS / 1024,
  }),
);
