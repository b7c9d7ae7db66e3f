// The scheduled poller (Sidekiq's Scheduled::Poller and Enq): moves jobs whose time has come from
// the retry and schedule sets onto their queues. Ruby's pollers and kiq's share the work without
// coordinating: a job is taken by whoever removes it from the set, in the same script that pushes
// it, so it is enqueued exactly once and never out of both places.
//
// Unlike Ruby, which parses each job and pushes it through the client again (re-encoding it), kiq
// pushes the stored string with only `enqueued_at` changed, so every other byte survives the move.
// Timing follows Sidekiq 8.1.7 (the interval is recomputed every cycle as 6.5.7+ do, and 10+
// processes draw from [0, 2·avg) as 8.0.10+ do, for every wire version: the fleet's mean interval
// is then `avg` whichever versions share it).

import type { Redis } from "ioredis";
import { type Logger, pino } from "pino";
import { KiqError } from "../errors.js";
import { PROCESSES, RETRY, SCHEDULE } from "../redis/keys.js";
import { formatFloat } from "../wire/json.js";
import { encodeTimestamp, nowMs } from "../wire/time.js";
import type { SidekiqVersion } from "../wire/types.js";
import { moveJobs, preparePush, type QueuePush } from "./move-jobs.js";
import { cleanupProcesses } from "./process-cleanup.js";

/** Seconds before the first poll, so heartbeats are in before the process count is read (Sidekiq's INITIAL_WAIT). */
export const INITIAL_WAIT = 10;
/** Random seconds added to the first wait, so a fleet restarted at once does not poll at once. */
export const INITIAL_WAIT_SPREAD = 5;
/** Seconds between polls the fleet aims for, per process (Sidekiq's average_scheduled_poll_interval). */
export const AVERAGE_SCHEDULED_POLL_INTERVAL = 5;
/** From this many processes the pause is drawn from [0, 2·avg) instead of [avg/2, 1.5·avg). */
export const LARGE_FLEET = 10;
/** Seconds to pause when the process count cannot be read (Ruby sleeps 5). */
export const ERROR_PAUSE = 5;
/** Due members read per round trip; each batch is moved by one script call. */
export const DEFAULT_BATCH_SIZE = 100;
/** Retries first, then scheduled jobs (Sidekiq's SETS). */
const SETS = [RETRY, SCHEDULE] as const;
/** How much of an unreadable member a log line shows. */
const LOGGED_MEMBER_CHARS = 500;

export interface ScheduledPollerOptions {
  redis: Redis;
  /** The fleet's wire format: decides the unit of the new `enqueued_at` (8: Integer ms, else Float s). */
  sidekiqVersion: SidekiqVersion;
  /** Seconds between polls across the fleet; default 5 × the number of processes. Also skips the 10 s initial wait. */
  pollIntervalAverage?: number;
  logger?: Logger;
  /** Due members moved per script call; default 100. */
  batchSize?: number;
  /** Uniform [0, 1) source for the random waits (Ruby's `rnd`); tests pin it. Default Math.random. */
  random?: () => number;
}

/** Seconds before the first poll: 10 (none with a configured average) plus a random [0, 5). */
export function initialWait(
  pollIntervalAverage: number | undefined,
  random: () => number = Math.random,
): number {
  return (pollIntervalAverage === undefined ? INITIAL_WAIT : 0) + INITIAL_WAIT_SPREAD * random();
}

/**
 * Seconds to sleep between polls when `average` is the fleet's interval and `processCount` processes
 * poll: a small fleet stays within ±50% of the average; a large one spreads over [0, 2·average).
 */
export function pollInterval(
  average: number,
  processCount: number,
  random: () => number = Math.random,
): number {
  return processCount < LARGE_FLEET ? average * random() + average / 2 : average * random() * 2;
}

export class ScheduledPoller {
  private readonly redis: Redis;
  private readonly version: SidekiqVersion;
  private readonly pollIntervalAverage: number | undefined;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly random: () => number;
  /** Redis before 6.2 has no ZRANGE … BYSCORE; learnt from the first syntax error. */
  private legacyRange = false;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** Ends the current sleep early. */
  private wake: (() => void) | undefined;

  constructor(options: ScheduledPollerOptions) {
    const { pollIntervalAverage, batchSize = DEFAULT_BATCH_SIZE } = options;
    if (
      pollIntervalAverage !== undefined &&
      !(pollIntervalAverage > 0 && Number.isFinite(pollIntervalAverage))
    ) {
      throw new KiqError(
        `pollIntervalAverage must be a positive number of seconds, got ${pollIntervalAverage}`,
      );
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new KiqError(`batchSize must be an integer ≥ 1, got ${batchSize}`);
    }
    this.redis = options.redis;
    this.version = options.sidekiqVersion;
    this.pollIntervalAverage = pollIntervalAverage;
    this.logger = options.logger ?? pino();
    this.batchSize = batchSize;
    this.random = options.random ?? Math.random;
  }

  /** Starts polling in the background: first wait, process-set cleanup, then a cycle per pause. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
    });
  }

  /** Stops polling: cuts the current pause short and resolves once a cycle in progress has finished its batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  /**
   * One pass over `retry` then `schedule`, batch after batch until nothing is due; returns the number
   * of jobs this call pushed onto queues (unreadable members go to the dead set and are not counted).
   * `nowMs` pins the clock (epoch ms) for the due check, `enqueued_at` and dead-set scores.
   */
  enqueueDue(nowMs?: number): Promise<number> {
    return this.drain(nowMs, () => false);
  }

  private async run(): Promise<void> {
    await this.sleep(initialWait(this.pollIntervalAverage, this.random));
    if (!this.stopping) await this.cleanup();
    while (!this.stopping) {
      try {
        await this.drain(undefined, () => this.stopping);
      } catch (err) {
        // Most likely Redis is unreachable: try again next cycle, as Ruby does.
        this.logger.error({ err }, "scheduled poll failed");
      }
      if (this.stopping) break;
      await this.sleep(await this.nextPause());
    }
    this.logger.info("Scheduler exiting...");
  }

  private async drain(fixedNowMs: number | undefined, stopped: () => boolean): Promise<number> {
    let pushed = 0;
    for (const set of SETS) {
      while (!stopped()) {
        const now = fixedNowMs ?? nowMs();
        const score = formatFloat(now / 1000);
        const members = await this.dueMembers(set, score);
        if (members.length === 0) break;
        pushed += await this.move(set, members, now, score);
      }
    }
    return pushed;
  }

  private async dueMembers(set: string, score: string): Promise<string[]> {
    if (!this.legacyRange) {
      try {
        return await this.redis.zrange(set, "-inf", score, "BYSCORE", "LIMIT", 0, this.batchSize);
      } catch (err) {
        if (!/syntax error/i.test((err as Error).message)) throw err;
        this.legacyRange = true;
      }
    }
    return this.redis.zrangebyscore(set, "-inf", score, "LIMIT", 0, this.batchSize);
  }

  /** One script call: due members still in `set` go to their queues (or, unreadable, to the dead set). */
  private async move(set: string, members: string[], now: number, score: string): Promise<number> {
    const enqueuedAt = encodeTimestamp(this.version, now);
    const problems = new Map<string, string>();
    const pushes: QueuePush[] = [];
    for (const member of members) {
      const push = preparePush(member, enqueuedAt);
      if (typeof push === "string") problems.set(member, push);
      else pushes.push(push);
    }
    const { pushed, killed } = await moveJobs(this.redis, {
      set,
      maxScore: score,
      pushes,
      kills: [...problems.keys()],
      nowMs: now,
    });
    for (const member of killed) {
      this.logger.error(
        { set, problem: problems.get(member), member: member.slice(0, LOGGED_MEMBER_CHARS) },
        `unreadable job moved from ${set} to the dead set`,
      );
    }
    if (pushed > 0) this.logger.debug({ set, count: pushed }, `enqueued due jobs from ${set}`);
    return pushed;
  }

  private async nextPause(): Promise<number> {
    try {
      const count = Math.max(1, await this.redis.scard(PROCESSES));
      const average = this.pollIntervalAverage ?? AVERAGE_SCHEDULED_POLL_INTERVAL * count;
      return pollInterval(average, count, this.random);
    } catch (err) {
      this.logger.error({ err }, "could not count processes for the scheduled poll interval");
      return ERROR_PAUSE;
    }
  }

  /** After the first wait (6.5.7+): stale processes would stretch everyone's poll interval. */
  private async cleanup(): Promise<void> {
    try {
      const pruned = await cleanupProcesses(this.redis);
      if (pruned > 0) this.logger.info({ pruned }, "pruned processes without a heartbeat");
    } catch (err) {
      this.logger.error({ err }, "could not prune the process set");
    }
  }

  /** Sleeps `seconds`, or less when stop() wakes it. */
  private sleep(seconds: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, seconds * 1000);
      // A sleeping poller alone must not keep the process alive.
      timer.unref();
      this.wake = done;
    });
  }
}
