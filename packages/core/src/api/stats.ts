// The numbers at the top of Sidekiq's dashboard (Sidekiq::Stats) and the daily history under them
// (Sidekiq::Stats::History): lifetime and per-day counters, set sizes, queue sizes and latency.

import { KiqError } from "../errors.js";
import { DEAD, PROCESSES, QUEUES, queueKey, RETRY, SCHEDULE } from "../redis/keys.js";
import { scanSetMembers } from "../redis/scan.js";
import { payloadLatency } from "./job-record.js";
import { compareLikeRuby, rubyToInteger } from "./ruby.js";
import { ApiContext, type ApiSource } from "./source.js";

/** History reaches back at most five years: that is how long Sidekiq keeps the daily keys. */
export const MAX_HISTORY_DAYS = 5 * 365;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The counters that stats keep, total and per UTC day (`stat:<name>`, `stat:<name>:YYYY-MM-DD`). */
export type StatName = "processed" | "failed";
const STAT_NAMES: readonly StatName[] = ["processed", "failed"];

export interface StatsSnapshot {
  /** Executions ever finished (`stat:processed`). */
  processed: number;
  /** Executions ever failed (`stat:failed`). */
  failed: number;
  scheduledSize: number;
  retrySize: number;
  deadSize: number;
  /** Members of `processes` (not pruned: may count a process that died a moment ago). */
  processesSize: number;
  /** Seconds the oldest job in `default` has waited. */
  defaultQueueLatency: number;
  /** Jobs in every queue named in `queues`. */
  enqueued: number;
  /** Jobs running now, as the processes' last heartbeats report (`busy`). */
  workersSize: number;
}

/** Per UTC day ("YYYY-MM-DD"), newest first: executions finished and failed that day. */
export interface StatsHistory {
  processed: Record<string, number>;
  failed: Record<string, number>;
}

export class Stats {
  private readonly context: ApiContext;

  constructor(source: ApiSource) {
    this.context = new ApiContext(source);
  }

  /** Every number at once, in two round trips plus the scans of `processes` and `queues`. */
  async fetch(): Promise<StatsSnapshot> {
    const { redis } = this.context;
    const [processed, failed, scheduledSize, retrySize, deadSize, processesSize, oldestDefault] = results(
      await redis
        .pipeline()
        .get("stat:processed")
        .get("stat:failed")
        .zcard(SCHEDULE)
        .zcard(RETRY)
        .zcard(DEAD)
        .scard(PROCESSES)
        .lindex(queueKey("default"), -1)
        .exec(),
    );
    const [identities, queues] = await Promise.all([
      scanSetMembers(redis, PROCESSES),
      scanSetMembers(redis, QUEUES),
    ]);
    const slow = redis.pipeline();
    for (const identity of identities) slow.hget(identity, "busy");
    for (const queue of queues) slow.llen(queueKey(queue));
    const counts = results(await slow.exec()).map(rubyToInteger);
    return {
      processed: rubyToInteger(processed),
      failed: rubyToInteger(failed),
      scheduledSize: Number(scheduledSize),
      retrySize: Number(retrySize),
      deadSize: Number(deadSize),
      processesSize: Number(processesSize),
      defaultQueueLatency: payloadLatency(oldestDefault as string | null),
      enqueued: sum(counts.slice(identities.length)),
      workersSize: sum(counts.slice(0, identities.length)),
    };
  }

  /** The size of every queue named in `queues`, largest first (ties by name). */
  async queues(): Promise<Map<string, number>> {
    const { redis } = this.context;
    const names = await scanSetMembers(redis, QUEUES);
    const pipeline = redis.pipeline();
    for (const name of names) pipeline.llen(queueKey(name));
    const sizes = results(await pipeline.exec()).map(rubyToInteger);
    // A Map, not an object: JavaScript would move a queue named "10" ahead of the larger ones.
    const sized = names.map((name, i) => [name, sizes[i] ?? 0] as const);
    sized.sort(([a, x], [b, y]) => y - x || compareLikeRuby(a, b));
    return new Map(sized);
  }

  /**
   * Finished and failed executions per UTC day, for `days` days back from `startDate` (default
   * today, UTC; a Date's UTC day, or "YYYY-MM-DD"). Days without a key count 0.
   */
  async history(days: number, startDate: Date | string = new Date()): Promise<StatsHistory> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_HISTORY_DAYS) {
      throw new KiqError(`history covers 1 to ${MAX_HISTORY_DAYS} days, got ${days}`);
    }
    const start = typeof startDate === "string" ? Date.parse(`${startDate}T00:00:00Z`) : startDate.getTime();
    if (Number.isNaN(start)) throw new KiqError(`history start date is not a date: ${String(startDate)}`);
    const dates = Array.from({ length: days }, (_, i) =>
      new Date(start - i * DAY_MS).toISOString().slice(0, "YYYY-MM-DD".length),
    );
    const pipeline = this.context.redis.pipeline();
    for (const name of STAT_NAMES) pipeline.mget(dates.map((date) => `stat:${name}:${date}`));
    const [processed, failed] = results(await pipeline.exec()) as (string | null)[][];
    const byDate = (values: (string | null)[] = []) =>
      Object.fromEntries(dates.map((date, i) => [date, rubyToInteger(values[i])]));
    return { processed: byDate(processed), failed: byDate(failed) };
  }

  /** Sets the lifetime counters (`stat:processed`, `stat:failed`, or those named) to 0. */
  async reset(...names: StatName[]): Promise<void> {
    const chosen = names.length === 0 ? STAT_NAMES : STAT_NAMES.filter((name) => names.includes(name));
    if (chosen.length === 0) return;
    await this.context.redis.mset(...chosen.flatMap((name) => [`stat:${name}`, 0]));
  }
}

/** The replies of a pipeline; the first error is thrown. */
function results(replies: [Error | null, unknown][] | null): unknown[] {
  return (replies ?? []).map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function sum(values: readonly number[]): number {
  return values.reduce((total, n) => total + n, 0);
}
