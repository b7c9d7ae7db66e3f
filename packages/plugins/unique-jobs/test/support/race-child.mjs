// One racing process for race.test.ts, on the built packages (run `npm run build` first).
//   node race-child.mjs push <startAtMs> <json pushes>   pushes every job at once at startAtMs; prints {"jids": [...]}
//   node race-child.mjs work <json {queue, runMs}>        a worker; prints "ready", counts runs in race:runs
// Redis: REDIS_URL.
import { Client, defineJob, Kiq } from "@kiq/core";
import { uniqueJobs } from "@kiq/unique-jobs";
import pino from "pino";

const logger = pino({ level: "silent" });
const [mode, ...rest] = process.argv.slice(2);

if (mode === "push") {
  const [startAt, pushes] = [Number(rest[0]), JSON.parse(rest[1])];
  const client = new Client({ url: process.env.REDIS_URL, sidekiqVersion: 8, logger }).use(uniqueJobs());
  await client.push({ class: "Warmup", queue: "warmup", args: [] }); // connected, plugin installed
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  const jids = await Promise.all(pushes.map((job) => client.push(job)));
  console.log(JSON.stringify({ jids, late: Date.now() - startAt }));
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
