// `npm run example -- notifications`: the Rails side (rails/enqueue.rb, with the machine's Ruby
// Sidekiq) enqueues the sample notifications twice; a kiq worker delivers them, each once per channel.

import { execFileSync, spawnSync } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Client, Queue } from "@kiq/core";
import { Redis } from "ioredis";
import { pino } from "pino";
import { notify } from "./enqueue.js";
import { CHANNELS, queueFor } from "./notification.js";
import { SAMPLE_NOTIFICATIONS } from "./samples.js";
import { fakeTransports, outboxKey } from "./transports.js";
import { notificationWorker } from "./worker.js";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new Redis(url);
const logFile = path.join(tmpdir(), "kiq-notifications.log");
await rm(logFile, { force: true });
const twice = [...SAMPLE_NOTIFICATIONS, ...SAMPLE_NOTIFICATIONS]; // the app retried its request

let jobs: number;
if (spawnSync("ruby", ["-e", 'require "sidekiq"'], { stdio: "ignore" }).status === 0) {
  const out = execFileSync("ruby", ["rails/enqueue.rb"], { input: JSON.stringify(twice) });
  const answer = JSON.parse(out.toString().trim().split("\n").at(-1) ?? "{}");
  jobs = answer.jobs;
  console.log(`Rails side (Ruby Sidekiq ${answer.sidekiq}) enqueued ${jobs} jobs: every notification twice`);
} else {
  console.log(
    "Ruby Sidekiq not installed (sudo apt-get install -y ruby ruby-sidekiq): Node enqueues instead",
  );
  const client = new Client({ redis });
  jobs = (await Promise.all(twice.map((n) => notify(client, n)))).flat().length;
}

const kiq = notificationWorker({
  url,
  redis,
  transports: fakeTransports(redis, logFile),
  logger: pino({ level: "warn" }),
});
await kiq.start();
const waiting = async () => {
  const lengths = await Promise.all(
    CHANNELS.map((channel) => new Queue({ redis }, queueFor(channel)).size()),
  );
  return lengths.reduce((a, b) => a + b, 0);
};
while ((await waiting()) > 0) await sleep(100);
await kiq.stop(); // lets the last jobs finish

console.log("\nSent, per channel:");
const logLines = (await readFile(logFile, "utf8")).trimEnd().split("\n");
let sent = logLines.length;
console.log(`  log      ${logLines.length}  (appended to ${logFile})`);
for (const channel of CHANNELS.filter((c) => c !== "log")) {
  const count = await redis.llen(outboxKey(channel));
  sent += count;
  console.log(`  ${channel.padEnd(8)} ${count}`);
}
console.log(
  `\nAll ${jobs} jobs ran: ${sent} notifications sent, ${jobs - sent} duplicates skipped by dedup key.`,
);
console.log("The log file, amounts as the Rails app wrote them:");
for (const line of logLines) console.log(`  ${line}`);
await redis.quit();
