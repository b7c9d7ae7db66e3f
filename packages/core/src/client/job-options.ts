// Checks and normalises what a caller pushes, the way Sidekiq's client does before anything is
// written: defaults first, then the caller's keys, then jid and created_at (Ruby's key order).

import { InvalidJobError } from "../errors.js";
import { generateJid } from "../wire/jid.js";
import { encodeTimestamp } from "../wire/time.js";
import type { SidekiqVersion } from "../wire/types.js";

/** Options Sidekiq stores in the job hash; any other key is stored as given, for plugins and gems. */
export interface JobOptions {
  /** Queue name; default "default". */
  queue?: string;
  /** true: up to 25 retries; N: up to N; false: no retry set and no dead set. Default true. */
  retry?: boolean | number;
  /** Store the error's backtrace with a retry: true for all frames, N for the first N. */
  backtrace?: boolean | number;
  /** Queue that retries go to. */
  retry_queue?: string;
  /** Retry for at most this many seconds after the first failure (Sidekiq 7.1.3+). */
  retry_for?: number;
  /** false: on exhaustion skip the dead set (death handlers still run). */
  dead?: boolean;
  /** Labels shown in the Web UI. */
  tags?: string[];
  /** Run at this time: epoch seconds or a Date. Always goes through the schedule set. */
  at?: number | Date;
  /** Run this many seconds from now (0 or less: now). */
  in?: number;
  [key: string]: unknown;
}

/** One job to push: a Ruby (or kiq) class name, its positional args, and options. */
export interface PushItem extends JobOptions {
  class: string;
  args: unknown[];
  jid?: string;
}

/** A job about to be written: what client middleware sees and may change. */
export interface OutgoingJob {
  class: string;
  args: unknown[];
  queue: string;
  jid: string;
  retry: boolean | number;
  [key: string]: unknown;
}

const MAX_RETRY_FOR = 1_000_000_000;
// An `at` above this is almost surely epoch milliseconds passed where Sidekiq takes seconds.
const MAX_AT_SECONDS = 1e11;

/** Checks a push item; returns the job in Ruby's key order and its run-at time (epoch s) if scheduled. */
export function prepareJob(
  input: PushItem,
  version: SidekiqVersion,
  nowMs: number,
  createdAt: ReturnType<typeof encodeTimestamp> = encodeTimestamp(version, nowMs),
): { job: OutgoingJob; at: number | undefined } {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new InvalidJobError(
      `push expects a job hash like { class: "HardJob", args: [1] }, got ${describe(input)}`,
    );
  }
  const { at, in: delay, ...item } = input;
  checkItem(item);
  const job = { retry: true, queue: "default" } as OutgoingJob;
  for (const [key, value] of Object.entries(item)) if (value !== undefined) job[key] = value;
  job.jid ??= generateJid();
  job.created_at ??= createdAt;
  if (typeof job.retry_for === "number") job.retry_for = Math.trunc(job.retry_for);
  return { job, at: runAt(at, delay, nowMs) };
}

function checkItem(item: Omit<PushItem, "at" | "in">): void {
  if (typeof item.class !== "string" || item.class.length === 0) {
    throw invalid("class", 'a non-empty string, the Ruby class name (e.g. "Billing::Charge")', item.class);
  }
  if (!Array.isArray(item.args)) throw invalid("args", "an array of positional arguments", item.args);
  if (item.queue !== undefined && (typeof item.queue !== "string" || item.queue.length === 0)) {
    throw invalid("queue", "a non-empty string", item.queue);
  }
  if (item.jid !== undefined && (typeof item.jid !== "string" || item.jid.length === 0)) {
    throw invalid("jid", "a non-empty string", item.jid);
  }
  const retry = item.retry;
  if (
    retry !== undefined &&
    typeof retry !== "boolean" &&
    !(Number.isInteger(retry) && (retry as number) >= 0)
  ) {
    throw invalid("retry", "true, false or a retry count (integer ≥ 0)", retry);
  }
  if (
    item.tags !== undefined &&
    !(Array.isArray(item.tags) && item.tags.every((t) => typeof t === "string"))
  ) {
    throw invalid("tags", "an array of strings", item.tags);
  }
  const retryFor = item.retry_for;
  if (
    retryFor !== undefined &&
    !(typeof retryFor === "number" && retryFor >= 0 && retryFor <= MAX_RETRY_FOR)
  ) {
    throw invalid("retry_for", `a number of seconds up to ${MAX_RETRY_FOR}`, retryFor);
  }
}

/** Epoch seconds a job runs at, from `at` (seconds or a Date) or `in` (seconds from now); undefined = now. */
export function runAt(at: unknown, delay: unknown, nowMs: number): number | undefined {
  if (at !== undefined && delay !== undefined)
    throw new InvalidJobError('give either "at" or "in", not both');
  if (delay !== undefined) {
    if (typeof delay !== "number" || !Number.isFinite(delay))
      throw invalid("in", "a number of seconds", delay);
    return delay > 0 ? nowMs / 1000 + delay : undefined;
  }
  if (at === undefined) return undefined;
  const seconds = at instanceof Date ? at.getTime() / 1000 : at;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
    throw invalid("at", "epoch seconds (a finite number ≥ 0) or a Date", at);
  }
  if (seconds > MAX_AT_SECONDS) {
    throw new InvalidJobError(
      `job "at" = ${seconds} looks like epoch milliseconds; Sidekiq takes epoch seconds`,
    );
  }
  return seconds;
}

function invalid(key: string, expected: string, got: unknown): InvalidJobError {
  return new InvalidJobError(`job "${key}" must be ${expected}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "bigint") return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
