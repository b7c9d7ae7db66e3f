// One racing process for race.test.ts, on the built packages (run `npm run build` first).
//   node race-child.mjs push <json pushes>   prints "ready", then on a line on stdin pushes every job at once; prints {"jids": [...]}
//   node race-child.mjs work <json {queue, runMs}>        a worker; prints "ready", counts runs in race:runs
// Redis: REDIS_URL.
import { once } from "node:events";
import { Client, defineJob, Kiq } from "@kiq/core";
import { uniqueJobs } from "@kiq/unique-jobs";
import pino from "pino";

const logger = pino({ level: "silent" });
const [mode, ...rest] = process.argv.slice(2);

if (mode === "push") {
  const pushes = JSON.parse(rest[0]);
  const client = new Client({ url: process.env.REDIS_URL, sidekiqVersion: 8, logger }).use(uniqueJobs());
  await client.push({ class: "Warmup", queue: "warmup", args: [] }); // connected, plugin installed
  const go = once(process.stdin, "data");
  console.log("ready");
  await go;
  const jids = await Promise.all(pushes.map((job) => client.push(job)));
  console.log(JSON.stringify({ jids }));
  await client.close();
} else if (mode === "work") {
  const { queue, runMs } = JSON.parse(rest[0]);
  const kiq = new Kiq({ url: process.env.REDIS_URL, queues: [queue], concurrency: 3, timeout: 1, logger });
  kiq.register(
    defineJob("RaceWE", async () => {
      const running = await kiq.client.redis.incr("race:running");
      await kiq.client.redis.incr("race:runs");
      await kiq.client.redis.rpush("race:concurrency", running);
      await new Promise((resolve) => setTimeout(resolve, runMs));
      await kiq.client.redis.decr("race:running");
    }),
  );
  kiq.use(uniqueJobs({ reaper: false }));
  await kiq.start();
  console.log("ready");
  process.on("SIGTERM", async () => {
    await kiq.stop();
    process.exit(0);
  });
}
