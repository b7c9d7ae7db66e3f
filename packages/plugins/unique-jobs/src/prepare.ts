// The fields sidekiq-unique-jobs 8.1.0 adds to a payload before locking (Job.prepare):
// lock_timeout, lock_ttl, lock_prefix, lock_args, lock_digest — in that order, as the gem
// inserts them, so a Node-pushed payload carries the keys a Ruby-pushed one does.
// Per-class options travel in the payload on the Node side (kiq merges job options into the item),
// so the payload stands in for the gem's class options.

import { RubyFloat } from "@kiq/core";
import { lockDigest } from "./lock-digest.js";
import type { UniqueConfig } from "./unique-config.js";

export type UniqueItem = Record<string, unknown> & { class?: unknown; args?: unknown; at?: unknown };

/** Ruby's `Integer(x.to_i)` for the TTL forms Node can carry (number or numeric string). */
function rubyToI(value: unknown): number {
  if (typeof value === "number") return Math.trunc(value);
  if (value instanceof RubyFloat) return Math.trunc(value.value);
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    const match = /^\s*[+-]?\d+/.exec(value.replaceAll("_", ""));
    return match ? Number.parseInt(match[0], 10) : 0;
  }
  return 0;
}

/** Ruby's `a || b`: only nil (null/undefined) and false fall through; 0 and "" do not. */
function rubyOr(...values: unknown[]): unknown {
  for (const value of values) if (value !== undefined && value !== null && value !== false) return value;
  return null;
}

/** LockTTL.calculate: the first TTL set, plus the seconds until `at` (clamped at 0) when scheduled. */
export function lockTtl(item: UniqueItem, config: UniqueConfig, nowSeconds: number): number | null {
  const ttl = rubyOr(item.lock_ttl, item.lock_expiration, config.lockTtl);
  if (ttl === null) return null;
  const at = typeof item.at === "number" ? item.at : undefined;
  const untilScheduled = at === undefined ? 0 : Math.max(0, Math.trunc(at) - Math.trunc(nowSeconds));
  return rubyToI(ttl) + untilScheduled;
}

/** LockTimeout.calculate: the job's own setting when it has the key, else the global one. */
export function lockTimeout(item: UniqueItem, config: UniqueConfig): unknown {
  return "lock_timeout" in item ? item.lock_timeout : config.lockTimeout;
}

/**
 * LockArgs.call: the job's args, or what the configured filter returns for them (the Node stand-in
 * for the gem's `lock_args_method`; Ruby filters cannot run here). Recomputed on every call, as 8.1.0 does.
 */
export function lockArgs(item: UniqueItem, config: UniqueConfig): unknown[] {
  const args = Array.isArray(item.args) ? (item.args as unknown[]) : [];
  const filter = typeof item.class === "string" ? config.lockArgs[item.class] : undefined;
  return filter ? filter(args) : args;
}

/** Writes the gem's fields into `item` (mutating it) and returns the digest. */
export function prepareItem(item: UniqueItem, config: UniqueConfig, nowSeconds = Date.now() / 1000): string {
  if (item.on_conflict !== null && typeof item.on_conflict === "object" && !Array.isArray(item.on_conflict)) {
    item.on_conflict = { ...(item.on_conflict as Record<string, unknown>) };
  }
  item.lock_timeout = lockTimeout(item, config);
  item.lock_ttl = lockTtl(item, config, nowSeconds);
  item.lock_prefix = rubyOr(item.lock_prefix, config.lockPrefix);
  item.lock_args = lockArgs(item, config);
  const digest = lockDigest(item, String(item.lock_prefix), config.digestAlgorithm);
  item.lock_digest = digest;
  return digest;
}
