// Where the tenant lives while Node code runs: an AsyncLocalStorage, like Rails' CurrentAttributes.
// A worker sets it around each job that carries one; a web request (or a script) sets it with
// withTenant(), and every job pushed inside inherits it.

import { AsyncLocalStorage } from "node:async_hooks";

/** A tenant as Ruby wrote it: an Account id (Integer or String) or an apartment name. */
export type TenantId = string | number | bigint;

// One store per process even when both the ESM and CJS builds are loaded (as core's currentJob()).
const STORE = Symbol.for("kiq.currentTenant");
const holder = globalThis as { [STORE]?: AsyncLocalStorage<TenantId> };
holder[STORE] ??= new AsyncLocalStorage<TenantId>();
const store = holder[STORE];

/** The tenant of this async call chain: the running job's, or the one withTenant() set; else undefined. */
export function currentTenant(): TenantId | undefined {
  return store.getStore();
}

/** Runs `fn` with `tenant` as the current tenant (Ruby's `Current.set(tenant_id: …) { … }`). */
export function withTenant<T>(tenant: TenantId, fn: () => T): T {
  if (!isTenantId(tenant)) {
    throw new TypeError(
      `a tenant is a non-empty string or a number (an Account id or an apartment name), got ${describe(tenant)}`,
    );
  }
  return store.run(tenant, fn);
}

export function isTenantId(value: unknown): value is TenantId {
  return (
    (typeof value === "string" && value.length > 0) ||
    (typeof value === "number" && Number.isFinite(value)) ||
    typeof value === "bigint"
  );
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
