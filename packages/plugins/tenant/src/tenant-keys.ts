// The payload keys Ruby's multi-tenancy gems carry a tenant in (docs: plugins-format §4), each read
// and written in the gem's own shape. All are top-level keys of the Sidekiq payload (of the
// JobWrapper's for ActiveJob), except acts_as_tenant's ActiveJob `current_tenant`, read only.

import { GlobalId, isActiveJobItem, type JobItem, type OutgoingJob, type SidekiqVersion } from "@kiq/core";
import { type CattrLocation, readCattr, tenantValue, writeCattr } from "./cattr.js";
import type { TenantId } from "./current-tenant.js";

/** Where a tenant can be carried. */
export type TenantKey = "cattr" | "acts_as_tenant" | "multi_tenant" | "apartment" | "activejob";

/** The order a reader tries them in by default. */
export const TENANT_KEYS: readonly TenantKey[] = [
  "acts_as_tenant",
  "multi_tenant",
  "apartment",
  "cattr",
  "activejob",
];

export interface KeySettings {
  cattr: CattrLocation;
  /** The tenant model's class name written for acts_as_tenant and multi_tenant ("Account"). */
  tenantClass: string;
}

/** The tenant a job carries under `key`, or undefined. */
export function readTenantKey(item: JobItem, key: TenantKey, settings: KeySettings): TenantId | undefined {
  switch (key) {
    case "cattr":
      return readCattr(item[settings.cattr.key], settings.cattr.attribute);
    case "acts_as_tenant":
    case "multi_tenant": {
      const record = item[key];
      if (record === null || typeof record !== "object" || Array.isArray(record)) return undefined;
      return tenantValue(record.id);
    }
    case "apartment":
      return tenantValue(item.apartment);
    case "activejob":
      return activeJobTenant(item);
  }
}

/**
 * Writes `tenant` under `key` on a job Node pushes, as the gem's client middleware would: only when
 * the key is absent (Sidekiq 6.4's cattr merges instead).
 */
export function writeTenantKey(
  job: OutgoingJob,
  key: TenantKey,
  tenant: TenantId,
  settings: KeySettings,
  version: SidekiqVersion,
): void {
  switch (key) {
    case "cattr":
      writeCattr(job, settings.cattr, tenant, version);
      return;
    case "acts_as_tenant":
    case "multi_tenant":
      job[key] ??= { class: settings.tenantClass, id: tenant };
      return;
    case "apartment":
      job.apartment ??= String(tenant);
      return;
    case "activejob":
      throw new TypeError('"activejob" (current_tenant in the ActiveJob data) can be read, not written');
  }
}

/** acts_as_tenant ≥ 1.0's ActiveJob integration: a GlobalID in the job data's `current_tenant`. */
function activeJobTenant(item: JobItem): TenantId | undefined {
  if (!isActiveJobItem(item)) return undefined;
  const data = item.args[0];
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const gid = data.current_tenant;
  if (typeof gid !== "string") return undefined;
  try {
    return GlobalId.parse(gid).modelId;
  } catch {
    return undefined;
  }
}
