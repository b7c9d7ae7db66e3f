// When a failed job runs again: `count⁴ + 15` seconds (or the job's retryIn answer) plus Sidekiq's
// random jitter, whose formula changed in 8.0.

import type { SidekiqVersion } from "../wire/types.js";

/** Sidekiq's default delay before retry number `count` (0-based), in seconds. */
export function defaultRetryDelay(count: number): number {
  return count ** 4 + 15;
}

/** Uniform integer in [0, n). */
const rand = (n: number) => Math.floor(Math.random() * n);

/** 6.x/7.x: rand(10) × (count + 1); 8.x: rand(10 × (count + 1)). */
export function retryJitter(count: number, version: SidekiqVersion): number {
  return version >= 8 ? rand(10 * (count + 1)) : rand(10) * (count + 1);
}
