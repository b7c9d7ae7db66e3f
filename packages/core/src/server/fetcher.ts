// Sidekiq's basic fetch, batched: one round trip takes as many jobs as there are free slots. When
// the queues are empty it blocks in BRPOP for at most FETCH_TIMEOUT (or until woken). Every pop
// runs on a connection of the fetcher's own, so a stopping worker can drop that connection and
// with it any pop still queued while Redis is away: a pop never reaches Redis after shutdown.

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
  private readonly popper: Redis & FetchScripts;
  /** The popping connection's CLIENT ID, for CLIENT UNBLOCK; refreshed on every reconnect. */
  private popperId: number | undefined;

  constructor(
    /** For requeues and CLIENT UNBLOCK. */
    private readonly redis: Redis,
    /** The fetcher's own connection: every pop (script and BRPOP) runs here. */
    popper: Redis,
    private readonly queues: QueueList,
  ) {
    this.popper = withScripts<FetchScripts>(popper, [{ name: "fetchJobs", lua: fetchJobsLua }]);
    const learnId = () => {
      popper.client("ID").then(
        (id) => {
          this.popperId = Number(id);
        },
        () => {},
      );
    };
    popper.on("ready", learnId);
    if (popper.status === "ready") learnId();
  }

  async retrieveWork(max: number): Promise<UnitOfWork[]> {
    const keys = this.queues.fetchOrder();
    const flat = await this.popper.fetchJobs(keys.length, ...keys, max);
    if (flat.length > 0) return pairs(flat);
    const popped = await this.popper.brpop(...keys, FETCH_TIMEOUT);
    return popped ? [{ queue: popped[0].slice(QUEUE_PREFIX), payload: popped[1] }] : [];
  }

  acknowledge(_work: UnitOfWork): void {}

  /** CLIENT UNBLOCK … TIMEOUT makes the BRPOP return as if it had timed out: no job is taken. */
  async wake(): Promise<void> {
    if (this.popperId !== undefined) await this.redis.client("UNBLOCK", this.popperId, "TIMEOUT");
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
