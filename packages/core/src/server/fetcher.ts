// Sidekiq's basic fetch, batched: one round trip takes as many jobs as there are free slots. When
// the queues are empty it blocks in BRPOP (on its own connection) for at most FETCH_TIMEOUT, so a
// stopping worker notices within that time; a job popped while stopping is pushed straight back.

import type { Redis } from "ioredis";
import { queueKey } from "../redis/keys.js";
import fetchJobsLua from "../redis/scripts/fetch-jobs.lua";
import { withScripts } from "../redis/scripts.js";
import type { QueueList } from "./queues.js";

/** Seconds a blocking fetch waits for work (Sidekiq's TIMEOUT). */
export const FETCH_TIMEOUT = 2;

/** One fetched job: the queue it came from and its payload string exactly as stored. */
export interface UnitOfWork {
  queue: string;
  payload: string;
}

/** A fetch strategy; plugins (reliable fetch) provide their own. */
export interface Fetcher {
  /** Up to `max` jobs; may wait up to FETCH_TIMEOUT and return none. */
  retrieveWork(max: number): Promise<UnitOfWork[]>;
  /** The job's outcome is in Redis (done, retried or dead): the fetcher may forget it. */
  acknowledge(work: UnitOfWork): void | Promise<void>;
  /** Puts unfinished jobs back at the tail of their queues, so they are fetched next. */
  requeue(works: readonly UnitOfWork[]): Promise<void>;
  /** Ends a blocking wait early (without taking a job), so quiet is prompt. */
  wake?(): Promise<void>;
}

interface FetchScripts {
  fetchJobs(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<string[]>;
}

const QUEUE_PREFIX = "queue:".length;

export class BasicFetch implements Fetcher {
  private readonly redis: Redis & FetchScripts;
  /** The blocking connection's CLIENT ID, for CLIENT UNBLOCK; refreshed on every reconnect. */
  private blockingId: number | undefined;

  constructor(
    redis: Redis,
    /** A connection only for BRPOP, which blocks it. */
    private readonly blocking: Redis,
    private readonly queues: QueueList,
  ) {
    this.redis = withScripts<FetchScripts>(redis, [{ name: "fetchJobs", lua: fetchJobsLua }]);
    const learnId = () => {
      blocking.client("ID").then(
        (id) => {
          this.blockingId = Number(id);
        },
        () => {},
      );
    };
    blocking.on("ready", learnId);
    if (blocking.status === "ready") learnId();
  }

  async retrieveWork(max: number): Promise<UnitOfWork[]> {
    const keys = this.queues.fetchOrder();
    const flat = await this.redis.fetchJobs(keys.length, ...keys, max);
    if (flat.length > 0) return pairs(flat);
    const popped = await this.blocking.brpop(...keys, FETCH_TIMEOUT);
    return popped ? [{ queue: popped[0].slice(QUEUE_PREFIX), payload: popped[1] }] : [];
  }

  acknowledge(): void {}

  /** CLIENT UNBLOCK … TIMEOUT makes the BRPOP return as if it had timed out: no job is taken. */
  async wake(): Promise<void> {
    if (this.blockingId !== undefined) await this.redis.client("UNBLOCK", this.blockingId, "TIMEOUT");
  }

  async requeue(works: readonly UnitOfWork[]): Promise<void> {
    if (works.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const work of works) pipeline.rpush(queueKey(work.queue), work.payload);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
  }
}

function pairs(flat: string[]): UnitOfWork[] {
  const works: UnitOfWork[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    works.push({ queue: (flat[i] as string).slice(QUEUE_PREFIX), payload: flat[i + 1] as string });
  }
  return works;
}
