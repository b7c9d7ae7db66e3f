// One worker fleet for every tenant of the Rails app:
// - queues critical, default and low, weighted 3:2:1 (Sidekiq's `-q critical,3 -q default,2 -q low,1`):
//   alerts go first most of the time, and low is never starved;
// - the tenant Rails set in Current.tenant_id arrives with every job (@kiq/tenant reads `cattr`), is
//   current in the handler (currentTenant()), on every log line of the job, and a label of every metric;
// - a token bucket per provider, shared by the whole fleet (@kiq/limits): SMS at 5 per second;
// - an idempotency fingerprint, record id + lock_version: a record version is sent once, however
//   many jobs carry it.

import { defineJob, type JobContext, Kiq } from "@kiq/core";
import { limits } from "@kiq/limits";
import { currentTenant, readTenant, tenant } from "@kiq/tenant";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { fingerprint, type Message, type MessageClass, PROVIDERS, QUEUES } from "./messages.js";
import type { Counter } from "./metrics.js";
import type { Send } from "./providers.js";

/** Sends per second, for the whole fleet. `burst`: how many may go at once after a quiet spell. */
export const PROVIDER_LIMITS = {
  sms: { limit: 5 },
  email: { limit: 100, burst: 100 },
};
export const WEIGHTED_QUEUES = ["critical,3", "default,2", "low,1"];
/** How long a sent fingerprint is remembered: longer than any job carrying it can still arrive. */
export const REMEMBER_SECONDS = 7 * 24 * 3600;

export const sentFingerprintKey = (tenant: unknown, message: Message) =>
  `multi-tenant:fingerprint:${tenant}:${fingerprint(message)}`;

export interface TenantWorkerOptions {
  url: string;
  /** Where fingerprints are kept. */
  redis: Redis;
  send: Send;
  /** `jobs_total{tenant, queue, class, outcome}`, counted once per job run. */
  jobs: Pick<Counter, "inc">;
  logger?: Logger;
}

export function tenantWorker({ url, redis, send, jobs, logger }: TenantWorkerOptions): Kiq {
  const kiq = new Kiq({
    url,
    queues: WEIGHTED_QUEUES,
    concurrency: 10,
    pollIntervalAverage: 0.1, // jobs the rate limit reschedules come back on time
    ...(logger && { logger }),
  });
  // Workaround: @kiq/tenant reports a job that a later middleware did not run (one @kiq/limits
  // rescheduled) as "done", so it is installed after limits, where it sees only jobs that run.
  // This puts the tenant on the log lines of the jobs limits reschedules, which it does not see.
  kiq.middleware.use(({ item, bindLog }, next) => {
    const jobTenant = readTenant(item);
    if (jobTenant !== undefined) bindLog({ tenant: jobTenant });
    return next();
  });
  kiq.use(
    limits({
      limits: Object.entries(PROVIDER_LIMITS).map(([provider, rate]) => ({
        name: provider,
        key: (job) => (PROVIDERS[job.class as MessageClass] === provider ? provider : undefined),
        rate,
      })),
    }),
  );
  kiq.use(
    tenant({
      onMetric: (metric) =>
        jobs.inc({
          tenant: String(metric.tenant),
          queue: metric.queue,
          class: metric.class,
          outcome: metric.outcome,
        }),
    }),
  );

  for (const klass of Object.keys(QUEUES) as MessageClass[]) {
    const provider = PROVIDERS[klass];
    kiq.register(
      defineJob(klass, async function (this: JobContext, message: Message) {
        const key = sentFingerprintKey(currentTenant(), message);
        // SET NX: of all jobs carrying this record version, across every worker, one sends.
        if (!(await redis.set(key, this.jid, "EX", REMEMBER_SECONDS, "NX"))) {
          this.logger.info({ fingerprint: fingerprint(message) }, "duplicate skipped");
          return;
        }
        try {
          await send(provider, currentTenant(), message);
        } catch (error) {
          await redis.del(key); // not sent: the retry may send it
          throw error;
        }
        this.logger.info({ provider, fingerprint: fingerprint(message) }, "sent");
      }),
    );
  }
  return kiq;
}
