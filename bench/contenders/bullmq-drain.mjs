// BullMQ's side of bench/drain.mjs: a BullMQ Worker on queue QUEUE runs the JOBS no-op jobs that
// bench/drain.mjs added (Queue.addBulk, data { args: [i] }) before starting this process, then
// closes and prints one JSON line. The clock starts when worker.run() is called (imports and the
// connection handshake are before it) and stops when the JOBS-th processor call has run; each call
// only ticks a byte for args[0] in memory, as kiq's and Ruby's handlers do. removeOnComplete
// (config) is passed as the Worker option of that name. Its one argument is the JSON config
// bench/drain.mjs passes (see CONFIG there).

import { readFileSync } from "node:fs";
import { Worker } from "bullmq";

const { url, jobs, queue, concurrency, removeOnComplete, stallSeconds } = JSON.parse(process.argv[2]);
const { version } = JSON.parse(
  readFileSync(new URL("../../node_modules/bullmq/package.json", import.meta.url)),
);

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

const { hostname, port } = new URL(url);
const worker = new Worker(
  queue,
  async (job) => {
    if (performed === 0) firstJobAt = performance.now();
    const i = job.data.args[0];
    if (Number.isInteger(i) && i >= 0 && i < jobs) {
      if (seen[i]++ > 0) duplicates++;
    } else outOfRange++;
    if (++performed === jobs) {
      finishedAt = performance.now();
      cpuUsed = process.cpuUsage(cpuStarted);
      finish();
    }
  },
  {
    connection: { host: hostname, port: Number(port) },
    concurrency,
    autorun: false,
    ...(removeOnComplete ? { removeOnComplete: { count: 0 } } : {}),
  },
);
worker.on("error", (error) => console.error("bullmq worker error:", error));

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
await worker.waitUntilReady();
startedAt = performance.now();
cpuStarted = process.cpuUsage();
lastProgressAt = startedAt;
const running = worker.run();
await finished;
clearInterval(watchdog);
await worker.close(); // waits for the jobs in flight to be marked completed
await running;

let distinct = 0;
for (let i = 0; i < jobs; i++) if (seen[i] > 0) distinct++;
console.log(
  JSON.stringify({
    contender: "bullmq",
    runtime: `node ${process.versions.node}, bullmq ${version}`,
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
