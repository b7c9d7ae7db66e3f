// `npm run example -- multi-tenant`: a kiq worker for three tenants' messages; the Rails side
// (rails/enqueue.rb, with the machine's Ruby Sidekiq) enqueues them with Current.tenant_id set.
// Prints each send with its tenant, the per-tenant metrics, the SMS rate and the duplicates skipped.

import { execFileSync, spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@kiq/core";
import { tenant, withTenant } from "@kiq/tenant";
import { Redis } from "ioredis";
import { pino } from "pino";
import { QUEUES, sampleTraffic } from "./messages.js";
import { Counter } from "./metrics.js";
import { fakeProviders, type Sent, sentKey } from "./providers.js";
import { PROVIDER_LIMITS, tenantWorker } from "./worker.js";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new Redis(url);
const traffic = sampleTraffic({ tenants: [101, 102, 103], sms: 10, receipts: 4, digests: 2 });

// The job lines, shown one short line each, tenant first; every line of a job is checked for it.
let jobLines = 0;
let withTenantField = 0;
let handled = 0;
let skipped = 0;
const display = {
  write(line: string) {
    const { time, msg, jid, tenant: id, queue, class: klass, provider, fingerprint } = JSON.parse(line);
    if (jid === undefined) return;
    jobLines += 1;
    if (id !== undefined) withTenantField += 1;
    if (msg !== "sent" && msg !== "duplicate skipped") return;
    handled += 1;
    if (msg === "duplicate skipped") skipped += 1;
    const clock = new Date(time).toISOString().slice(11, 23);
    console.log(
      `${clock}  tenant=${id}  ${queue.padEnd(8)} ${klass.padEnd(19)} ${msg}  ${provider ?? ""} ${fingerprint}`,
    );
  },
};

const jobs = new Counter("jobs_total");
const kiq = tenantWorker({ url, redis, send: fakeProviders(redis), jobs, logger: pino({}, display) });
await kiq.start();

const rails = 'require "sidekiq"; require "active_job"; require "sidekiq/middleware/current_attributes"';
if (spawnSync("ruby", ["-e", rails], { stdio: "ignore" }).status === 0) {
  const out = execFileSync("ruby", ["rails/enqueue.rb"], { input: JSON.stringify(traffic) });
  const answer = JSON.parse(out.toString().trim().split("\n").at(-1) ?? "{}");
  console.log(
    `Rails side (Ruby Sidekiq ${answer.sidekiq}) enqueued ${answer.jids.length} jobs for tenants 101, 102, 103\n`,
  );
} else {
  console.log(
    "Ruby Sidekiq or ActiveJob missing (sudo apt-get install -y ruby ruby-sidekiq ruby-activejob): Node enqueues instead\n",
  );
  const client = new Client({ redis }).use(tenant());
  for (const { tenant: id, class: klass, message } of traffic)
    await withTenant(id, () => client.push({ class: klass, queue: QUEUES[klass], args: [{ ...message }] }));
}

while (handled < traffic.length) await sleep(100); // every job logs "sent" or "duplicate skipped" once
await kiq.stop();

const sms = (await redis.lrange(sentKey("sms"), 0, -1)).map((entry) => JSON.parse(entry) as Sent);
const times = sms.map((s) => s.at).sort((a, b) => a - b);
const seconds = ((times.at(-1) as number) - (times[0] as number)) / 1000;
const sent = sms.length + (await redis.llen(sentKey("email")));
console.log(`\n${jobs}\n`);
console.log(
  `All ${traffic.length} jobs ran: ${sent} messages sent, ${skipped} duplicate record versions skipped.`,
);
console.log(
  `SMS: ${sms.length} sent in ${seconds.toFixed(1)} s = ${((sms.length - 1) / seconds).toFixed(2)}/s ` +
    `(limit ${PROVIDER_LIMITS.sms.limit}/s).`,
);
console.log(`${withTenantField} of ${jobLines} job log lines carry their tenant.`);
await redis.quit();
