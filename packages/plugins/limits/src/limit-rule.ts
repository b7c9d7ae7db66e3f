// A limit as configured: a name, which jobs it applies to (and under which key: a provider, a
// tenant), a token-bucket rate and/or a concurrency cap. Checked once, at install time.

import type { JobItem } from "@kiq/core";

/** Seconds a running job holds a concurrency slot without renewal (a crashed worker's return after it). */
export const DEFAULT_LEASE = 60;

export interface RateLimit {
  /** Jobs per `period`. */
  limit: number;
  /** Seconds; default 1. */
  period?: number;
  /** Jobs that may start at once after a quiet spell (the bucket's size); default 1: evenly spaced. */
  burst?: number;
}

export interface ConcurrencyLimit {
  /** Jobs running at once, across every worker. */
  limit: number;
  /** Seconds a slot is held without renewal (workers renew theirs every lease/3); default 60. */
  lease?: number;
}

export interface LimitRule {
  /** Letters, digits, "-" and "_" (as Sidekiq Enterprise limiter names); part of the Redis keys. */
  name: string;
  /**
   * The limiter key of a job, or undefined when the rule does not apply to it: e.g.
   * `(job) => job.class.startsWith("Stripe::") ? "stripe" : undefined`, or the tenant. Default:
   * every job, one key.
   */
  key?: (item: JobItem) => string | number | bigint | undefined;
  rate?: RateLimit;
  concurrency?: ConcurrencyLimit;
}

/** A rule checked and reduced to what the script needs. */
export interface CheckedRule {
  name: string;
  key: (item: JobItem) => string | number | bigint | undefined;
  /** Tokens per ms and the bucket size, when rate-limited. */
  rate: { perMs: number; burst: number } | undefined;
  /** Cap and lease in ms, when concurrency-limited. */
  concurrency: { limit: number; leaseMs: number } | undefined;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const EVERY_JOB = () => "";

export function checkRule(rule: LimitRule): CheckedRule {
  const { name, rate, concurrency } = rule;
  if (typeof name !== "string" || !NAME.test(name))
    throw new TypeError(`limit name ${JSON.stringify(name)}: use letters, digits, "-" and "_"`);
  if (!rate && !concurrency) throw new TypeError(`limit ${name}: give a rate, a concurrency, or both`);
  if (rule.key !== undefined && typeof rule.key !== "function")
    throw new TypeError(`limit ${name}: key must be a function of the job`);
  return {
    name,
    key: rule.key ?? EVERY_JOB,
    rate: rate && {
      perMs:
        positive(name, "rate.limit", rate.limit) / (positive(name, "rate.period", rate.period ?? 1) * 1000),
      burst: wholeNumber(name, "rate.burst", rate.burst ?? 1),
    },
    concurrency: concurrency && {
      limit: wholeNumber(name, "concurrency.limit", concurrency.limit),
      leaseMs: Math.round(positive(name, "concurrency.lease", concurrency.lease ?? DEFAULT_LEASE) * 1000),
    },
  };
}

function positive(name: string, option: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value))
    throw new TypeError(`limit ${name}: ${option} must be a positive number, got ${String(value)}`);
  return value;
}

function wholeNumber(name: string, option: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1)
    throw new TypeError(`limit ${name}: ${option} must be an integer ≥ 1, got ${String(value)}`);
  return value as number;
}
