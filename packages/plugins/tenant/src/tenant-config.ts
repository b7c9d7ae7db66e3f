// The plugin's options, their defaults, and the checks that turn a typo into a clear error at
// install time rather than a tenant silently missing from every job.

import type { TenantId } from "./current-tenant.js";
import type { FairShareOptions } from "./fair-share.js";
import { type KeySettings, TENANT_KEYS, type TenantKey } from "./tenant-keys.js";

/** One finished (or parked) job, for per-tenant metrics. */
export interface JobMetric {
  /** undefined for a job that carries no tenant. */
  tenant: TenantId | undefined;
  queue: string;
  /** The job's class (the ActiveJob class for wrapped jobs). */
  class: string;
  /** "done", "failed", "parked" (waiting for its tenant's share; it runs later), or "skipped" (a later middleware, such as a limit, did not run it now). */
  outcome: "done" | "failed" | "parked" | "skipped";
  /** Seconds the run took (0 for a parked or skipped job). */
  seconds: number;
}

export interface TenantOptions {
  /** Keys a tenant is read from, the first found wins. Default acts_as_tenant, multi_tenant, apartment, cattr, activejob. */
  read?: TenantKey[];
  /** Keys written on jobs pushed while a tenant is current. Default ["cattr"]. */
  write?: TenantKey[];
  /** Sidekiq::CurrentAttributes: the payload key ("cattr", "cattr_1"…) and the attribute. Default cattr / tenant_id. */
  cattr?: { key?: string; attribute?: string };
  /** The tenant model class written under acts_as_tenant / multi_tenant. Default "Account". */
  tenantClass?: string;
  /** The field name in log lines. Default "tenant". */
  logField?: string;
  /** Fair sharing: at most `maxConcurrent` running jobs per tenant across every worker. Off by default. */
  fairShare?: FairShareOptions;
  /** Called once per job a worker finishes or parks (feed a prom-client counter or histogram). */
  onMetric?: (metric: JobMetric) => void;
}

export interface TenantConfig extends KeySettings {
  read: readonly TenantKey[];
  write: readonly TenantKey[];
  logField: string;
  fairShare: FairShareOptions | undefined;
  onMetric: ((metric: JobMetric) => void) | undefined;
}

export function tenantConfig(options: TenantOptions = {}): TenantConfig {
  const read = checkKeys("read", options.read ?? TENANT_KEYS);
  const write = checkKeys("write", options.write ?? ["cattr"]);
  if (write.includes("activejob"))
    throw new TypeError('tenant({ write }): "activejob" (current_tenant in the ActiveJob data) is read-only');
  return {
    read,
    write,
    cattr: {
      key: nonEmpty("cattr.key", options.cattr?.key ?? "cattr"),
      attribute: nonEmpty("cattr.attribute", options.cattr?.attribute ?? "tenant_id"),
    },
    tenantClass: nonEmpty("tenantClass", options.tenantClass ?? "Account"),
    logField: nonEmpty("logField", options.logField ?? "tenant"),
    fairShare: options.fairShare,
    onMetric: options.onMetric,
  };
}

function checkKeys(option: string, keys: readonly TenantKey[]): readonly TenantKey[] {
  if (!Array.isArray(keys)) throw new TypeError(`tenant({ ${option} }) must be an array of keys`);
  for (const key of keys) {
    if (!TENANT_KEYS.includes(key))
      throw new TypeError(`tenant({ ${option} }): unknown key "${key}"; known: ${TENANT_KEYS.join(", ")}`);
  }
  return keys;
}

function nonEmpty(option: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0)
    throw new TypeError(`tenant({ ${option} }) must be a non-empty string`);
  return value;
}
