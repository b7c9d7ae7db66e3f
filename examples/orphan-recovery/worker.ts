// The worker process: `node worker.js` (main.ts starts two of them). @kiq/tracker's reliable fetch
// keeps every job it runs in its own working list until the job ends, so a worker killed mid-job
// loses nothing: another worker sees its liveness key expire and pushes the jobs back.
// @kiq/unique-jobs holds each invoice's lock until the job has run; when the tracker recovers a
// job, the plugin hands the lock to the job's next run instead of leaving it blocked for lock_ttl.

import { setTimeout as sleep } from "node:timers/promises";
import { defineJob, type JobContext, Kiq } from "@kiq/core";
import { tracker } from "@kiq/tracker";
import { uniqueJobs } from "@kiq/unique-jobs";
import { GENERATED, INVOICE, JOB_SECONDS, QUEUE, STARTED, TRACKER } from "./invoices.js";

const kiq = new Kiq({ url: process.env.REDIS_URL, queues: [QUEUE], concurrency: 2 })
  .use(tracker(TRACKER))
  .use(uniqueJobs());

kiq.register(
  defineJob(INVOICE, async function (this: JobContext, invoice: number) {
    const run = () => JSON.stringify({ jid: this.jid, invoice, pid: process.pid, at: Date.now() });
    await kiq.redis.rpush(STARTED, run());
    this.logger.info({ invoice }, "generating invoice");
    await sleep(JOB_SECONDS * 1000, undefined, { signal: this.signal });
    this.logger.info({ invoice }, "invoice generated");
    await kiq.redis.rpush(GENERATED, run());
  }),
);

await kiq.run(); // until SIGTERM (or SIGKILL, which is the point)
process.exit(0);
