// Sidekiq timestamps: Float epoch seconds in 6.x/7.x, Integer epoch milliseconds in 8.x payloads
// (sorted-set scores and heartbeats stay Float seconds in every version).

import { RubyFloat } from "./ruby-float.js";
import type { SidekiqVersion } from "./types.js";

// A reader cannot rely on Float-vs-Integer once JSON.parse has run, so it decides by magnitude:
// below 1e11 a value is seconds (any date before 5138), above it milliseconds (after 1973).
const MS_THRESHOLD = 1e11;

/** Wall-clock time in epoch milliseconds with sub-millisecond precision. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A payload timestamp (`created_at`, `enqueued_at`, `failed_at`, `retried_at`) as `version` writes it. */
export function encodeTimestamp(version: SidekiqVersion, epochMs: number = nowMs()): RubyFloat | number {
  return version >= 8 ? Math.floor(epochMs) : new RubyFloat(epochMs / 1000);
}

/** Epoch milliseconds from a payload timestamp written by any Sidekiq version. */
export function decodeTimestamp(value: number | bigint): number {
  const n = Number(value);
  return n < MS_THRESHOLD ? n * 1000 : n;
}

/** Epoch seconds from a payload timestamp written by any Sidekiq version. */
export function timestampSeconds(value: number | bigint): number {
  return decodeTimestamp(value) / 1000;
}
