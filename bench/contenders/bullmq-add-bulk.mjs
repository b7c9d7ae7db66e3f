// BullMQ's side of bench/push-bulk.mjs: adds JOBS jobs named Billing::Charge to queue QUEUE with
// Queue.addBulk, BATCH jobs per call (awaited one after another), and prints one JSON line. Only
// the adding is timed: import, connect, building the jobs' data and a WARMUP batch (to another
// queue) happen before. Each job's data is { args } so it carries what a Sidekiq job carries.
// Its one argument is the JSON config bench/push-bulk.mjs passes (see CONFIG there).

import { readFileSync } from "node:fs";
import { Queue } from "bullmq";

const { url, jobs, batch, warmup, queue: queueName, jobClass } = JSON.parse(process.argv[2]);
const { version } = JSON.parse(
  readFileSync(new URL("../../node_modules/bullmq/package.json", import.meta.url)),
);

const { hostname, port } = new URL(url);
const connection = { host: hostname, port: Number(port) };
const makeJobs = (n) =>
  Array.from({ length: n }, (_, i) => ({
    name: jobClass,
    data: { args: [i, `user-${i}`, { amount: "19.99" }] },
  }));

async function addAll(queue, all, size) {
  let added = 0;
  for (let start = 0; start < all.length; start += size) {
    added += (await queue.addBulk(all.slice(start, start + size))).length;
  }
  return added;
}

const queue = new Queue(queueName, { connection });
const warmupQueue = new Queue(`${queueName}-warmup`, { connection });
try {
  if (warmup > 0) await addAll(warmupQueue, makeJobs(warmup), batch);
  await queue.waitUntilReady();
  const all = makeJobs(jobs);
  const rssBefore = process.memoryUsage().rss;

  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const pushed = await addAll(queue, all, batch);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);

  console.log(
    JSON.stringify({
      contender: "bullmq",
      runtime: `node ${process.versions.node}, bullmq ${version}`,
      jobs,
      pushed,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssBeforeMb: rssBefore / 2 ** 20,
      rssPeakMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
} finally {
  await Promise.all([queue.close(), warmupQueue.close()]);
}
