// `npm run example -- orphan-recovery`: four unique invoice jobs; worker 1 generates two, then is
// killed with SIGKILL in the middle of the next two. Worker 2 recovers those two as soon as worker 1's
// liveness key expires (3 s), runs them, and every invoice is generated exactly once, no lock left.

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Client } from "@kiq/core";
import { uniqueJobs } from "@kiq/unique-jobs";
import { Redis } from "ioredis";
import { GENERATED, invoiceJob, KILLED, type Run, STARTED } from "./invoices.js";

const INVOICES = [1001, 1002, 1003, 1004];
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const runs = async (list: string) => (await redis.lrange(list, 0, -1)).map((run) => JSON.parse(run) as Run);

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);

// The workers end with this process, however it ends (Ctrl-C, a failure).
const workers = new Set<ChildProcess>();
process.on("exit", () => {
  for (const worker of workers) worker.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(1));

/** Starts worker.ts as its own process and shows its JSON log lines one short line each. */
function startWorker(name: string): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./worker.js", import.meta.url))], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  workers.add(child);
  child.once("exit", () => workers.delete(child));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    const { time, msg, invoice, requeued } = JSON.parse(line);
    const fields = Object.entries({ invoice, requeued }).filter(([, value]) => value !== undefined);
    const shown = fields.map(([key, value]) => `  ${key}=${value}`).join("");
    console.log(`${clock(time)}  ${name}  ${msg}${shown}`);
  });
  return { child, exited: new Promise((resolve) => child.once("exit", resolve)) };
}

async function until(check: () => Promise<boolean>, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${seconds} s`);
    await sleep(50);
  }
}

const client = new Client({ redis }).use(uniqueJobs());
for (const invoice of INVOICES) await client.push(invoiceJob(invoice));
console.log(`Enqueued invoices ${INVOICES.join(", ")} (lock: until_executed, lock_ttl: 1 hour)\n`);

const first = startWorker("worker 1");
// Two invoices generated, the other two in the middle of their run: kill the worker now.
await until(async () => (await redis.llen(GENERATED)) === 2 && (await redis.llen(STARTED)) === 4);
await sleep(500);
first.child.kill("SIGKILL");
const killedAt = Date.now();
await first.exited;
await redis.set(KILLED, String(killedAt));
const done = new Set((await runs(GENERATED)).map((run) => run.invoice));
const orphans = INVOICES.filter((invoice) => !done.has(invoice));
console.log(`${clock(killedAt)}  worker 1  killed with SIGKILL mid-job`);
// The dead worker's jobs still hold their locks, for up to an hour: a duplicate is refused meanwhile.
const held = await redis.keys("uniquejobs:*:LOCKED");
const ttl = Math.min(...(await Promise.all(held.map((key) => redis.ttl(key)))));
const duplicate = await client.push(invoiceJob(orphans[0] as number));
console.log(`   ${held.length} invoices' locks still held, expiring in ${ttl} s`);
console.log(`   pushing invoice ${orphans[0]} again meanwhile: ${duplicate ?? "refused (locked)"}`);

const second = startWorker("worker 2");
await until(async () => (await redis.llen(GENERATED)) === INVOICES.length);
second.child.kill("SIGTERM");
await second.exited;

const recovered = (await runs(STARTED)).filter((run) => run.at > killedAt);
const seconds = ((Math.min(...recovered.map((run) => run.at)) - killedAt) / 1000).toFixed(1);
const generated = await runs(GENERATED);
const times = INVOICES.map(
  (invoice) => `${invoice} ×${generated.filter((run) => run.invoice === invoice).length}`,
);
const locks = await redis.keys("uniquejobs:*:LOCKED");
console.log(
  `\nInvoices ${orphans.join(" and ")} recovered ${seconds} s after the kill (their lock_ttl: 3600 s).`,
);
console.log(`Generated: ${times.join(", ")}. Unique locks left: ${locks.length}.`);
await redis.quit();
