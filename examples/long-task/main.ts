// `npm run example -- long-task`: the worker for 45 s with a rebuild that takes 15 s, so every other
// 10-second tick finds a run in progress and skips. LONG_TASK_EVERY, LONG_TASK_SECONDS and
// LONG_TASK_RUN_FOR (seconds) change the pace.

import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { longTaskWorker, SKIPPED } from "./worker.js";

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const every = setting("LONG_TASK_EVERY", 10);
const taskSeconds = setting("LONG_TASK_SECONDS", 15);
const runFor = setting("LONG_TASK_RUN_FOR", 45);

// The worker's JSON log lines, shown one short line each, and counted for the summary.
const counts = new Map<string, number>();
const display = {
  write(line: string) {
    const { time, msg, jid, attempt, duration_ms } = JSON.parse(line);
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
    const fields = Object.entries({ jid, attempt, duration_ms }).filter(([, value]) => value !== undefined);
    const shown = fields.map(([key, value]) => `${key}=${value}`).join(" ");
    console.log(`${new Date(time).toISOString().slice(11, 23)}  ${msg}  ${shown}`);
  },
};

const kiq = longTaskWorker({
  url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  every,
  work: (signal) => sleep(taskSeconds * 1000, undefined, { signal }),
  notify: ({ jid, error }) => console.log(`NOTIFY: rebuild ${jid} gave up: ${error.message}`),
  logger: pino({}, display),
});

console.log(`Reports::Rebuild every ${every} s, each run takes ${taskSeconds} s; watching for ${runFor} s\n`);
await kiq.start();
await sleep(runFor * 1000);
await kiq.stop(); // a run in progress finishes first
const count = (msg: string) => counts.get(msg) ?? 0;
const skips = () => [...counts].filter(([msg]) => msg.startsWith(SKIPPED)).reduce((sum, [, n]) => sum + n, 0);
console.log(
  `\n${count("rebuild finished")} runs finished, never two at once; ` +
    `${skips()} ticks found a run in progress and skipped.`,
);
