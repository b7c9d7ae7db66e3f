// Counters of finished executions, kept in memory and flushed on the heartbeat the way Sidekiq
// does (stat:processed / stat:failed, total and per UTC day).

import type { ChainableCommander } from "ioredis";

/** Daily stat keys live five years, as Sidekiq sets them. */
export const STATS_TTL = 5 * 365 * 24 * 60 * 60;

export class ProcessStats {
  processed = 0;
  failed = 0;

  /** Counts one finished execution; `failed` also for an execution that raised or was interrupted. */
  record(failed: boolean): void {
    this.processed++;
    if (failed) this.failed++;
  }

  /** Takes the counts for a flush; `restore` puts them back if the flush fails. */
  take(): { processed: number; failed: number } {
    const counts = { processed: this.processed, failed: this.failed };
    this.processed = 0;
    this.failed = 0;
    return counts;
  }

  restore(counts: { processed: number; failed: number }): void {
    this.processed += counts.processed;
    this.failed += counts.failed;
  }
}

/** Adds the INCRBY/EXPIRE commands of a stats flush to a pipeline or MULTI. */
export function queueStatsFlush(
  commands: ChainableCommander,
  counts: { processed: number; failed: number },
  now = new Date(),
): void {
  const day = now.toISOString().slice(0, 10);
  for (const [name, n] of [
    ["processed", counts.processed],
    ["failed", counts.failed],
  ] as const) {
    commands.incrby(`stat:${name}`, n);
    commands.incrby(`stat:${name}:${day}`, n);
    commands.expire(`stat:${name}:${day}`, STATS_TTL);
  }
}
