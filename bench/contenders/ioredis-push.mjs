// The ceiling for Node on this machine: the same Sidekiq 7 payloads as kiq writes, built with a
// template string and native JSON.stringify, sent with bare ioredis (SADD + LPUSH in one MULTI per
// BATCH, awaited one after another, like kiq). No validation, no middleware, no Ruby-exact JSON:
// what is left is the cost of the wire. Prints one JSON line like the other contenders; its one
// argument is the JSON config bench/push-bulk.mjs passes (see CONFIG there).

import { randomFillSync } from "node:crypto";
import { Redis } from "ioredis";

const { url, jobs, batch, warmup, queue, jobClass } = JSON.parse(process.argv[2]);

const makeArgs = (n) => Array.from({ length: n }, (_, i) => [i, `user-${i}`, { amount: "19.99" }]);
// Ruby's Float#to_s for epoch seconds (always in fixed notation there): "1763888287.5", "1763888287.0".
const rubyFloat = (n) => (Number.isInteger(n) ? `${n}.0` : String(n));
const pool = Buffer.alloc(4080);
let offset = pool.length;
const jid = () => {
  if (offset + 12 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += 12;
  return pool.toString("hex", offset - 12, offset);
};

async function pushBulk(redis, q, args) {
  const now = rubyFloat(Date.now() / 1000);
  const head = `{"retry":true,"queue":${JSON.stringify(q)},"class":${JSON.stringify(jobClass)},"args":`;
  const payloads = new Array(args.length);
  const jids = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    jids[i] = jid();
    payloads[i] =
      `${head}${JSON.stringify(args[i])},"jid":"${jids[i]}","created_at":${now},"enqueued_at":${now}}`;
  }
  await redis
    .multi()
    .sadd("queues", q)
    .lpush(`queue:${q}`, ...payloads)
    .exec();
  return jids;
}

async function pushAll(redis, q, args) {
  let pushed = 0;
  for (let start = 0; start < args.length; start += batch) {
    pushed += (await pushBulk(redis, q, args.slice(start, start + batch))).length;
  }
  return pushed;
}

const redis = new Redis(url);
try {
  if (warmup > 0) await pushAll(redis, `${queue}-warmup`, makeArgs(warmup));
  const args = makeArgs(jobs);
  const rssBefore = process.memoryUsage().rss;

  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const pushed = await pushAll(redis, queue, args);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);

  console.log(
    JSON.stringify({
      contender: "ioredis",
      runtime: `node ${process.versions.node}, bare ioredis`,
      jobs,
      pushed,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssBeforeMb: rssBefore / 2 ** 20,
      rssPeakMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
} finally {
  redis.disconnect();
}
