// The plugin. Client side: a job pushed while a tenant is current (a running job's, or withTenant's)
// gets it under the configured keys, in the shape the fleet's Sidekiq version reads. Worker side:
// the job's tenant is read from the payload, made current for the handler (currentTenant()), bound
// into every log line of the job, counted per tenant (onMetric), and, with fairShare, capped.

import { definePlugin, type JobItem, type Plugin, type ServerContext } from "@kiq/core";
import { currentTenant, type TenantId, withTenant } from "./current-tenant.js";
import { FairShare } from "./fair-share.js";
import { type JobMetric, type TenantConfig, type TenantOptions, tenantConfig } from "./tenant-config.js";
import { readTenantKey, writeTenantKey } from "./tenant-keys.js";

/** The tenant a job carries, from the first key (of `options.read`) that holds one. */
export function readTenant(item: JobItem, options?: TenantOptions): TenantId | undefined {
  return tenantOf(item, tenantConfig(options));
}

function tenantOf(item: JobItem, config: TenantConfig): TenantId | undefined {
  for (const key of config.read) {
    const tenant = readTenantKey(item, key, config);
    if (tenant !== undefined) return tenant;
  }
  return undefined;
}

/** The plugin, for `kiq.use(tenant())` and `client.use(tenant())`; install it before plugins that key on the tenant. */
export function tenant(options?: TenantOptions): Plugin {
  const config = tenantConfig(options);
  return definePlugin("tenant", (host) => {
    host.clientMiddleware.use(({ job, sidekiqVersion }, next) => {
      const current = currentTenant();
      if (current !== undefined) {
        for (const key of config.write) writeTenantKey(job, key, current, config, sidekiqVersion);
      }
      return next();
    });
    if (host.kind !== "server") return;
    const fair = config.fairShare && new FairShare(host.redis, config.fairShare, host.logger);
    if (fair) {
      host.every(fair.sweepEvery, () => fair.sweep().then(() => {}));
      host.every(fair.leaseSeconds / 3, () => fair.renew());
    }
    host.serverMiddleware.use(async (context, next) => {
      const jobTenant = tenantOf(context.item, config);
      const started = performance.now();
      const report = (outcome: JobMetric["outcome"]) => {
        if (!config.onMetric) return;
        try {
          config.onMetric(metric(context, jobTenant, outcome, started));
        } catch (error) {
          host.logger.error({ err: error }, "tenant: onMetric failed");
        }
      };
      if (jobTenant === undefined) return measured(next, report);
      context.bindLog({ [config.logField]: jobTenant });
      const jid = String(context.item.jid);
      if (fair && !(await fair.admit(jobTenant, jid, context.queue, context.payload))) {
        context.job.logger.debug({ maxConcurrent: fair.maxConcurrent }, "tenant at its share: job parked");
        report("parked");
        return;
      }
      try {
        await withTenant(jobTenant, () => measured(next, report));
      } finally {
        await fair?.finish(jobTenant, jid, context.queue);
      }
    });
  });
}

async function measured(next: () => Promise<boolean>, report: (outcome: JobMetric["outcome"]) => void) {
  let ran: boolean;
  try {
    ran = await next();
  } catch (error) {
    report("failed");
    throw error;
  }
  report(ran ? "done" : "skipped"); // skipped: a later middleware (a limit, a lock) did not run it
}

function metric(
  { item, queue }: ServerContext,
  tenant: TenantId | undefined,
  outcome: JobMetric["outcome"],
  started: number,
): JobMetric {
  const seconds = outcome === "parked" || outcome === "skipped" ? 0 : (performance.now() - started) / 1000;
  return { tenant, queue, class: item.wrapped ?? item.class, outcome, seconds };
}
