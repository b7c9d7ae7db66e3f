// The reliable fetch: jobs move from their queue into this process' working list in the same
// script that takes them (many per round trip, in the QueueList's order), stay there while they
// run, and leave when their outcome is written (batched LREMs). A process killed mid-job leaves
// its jobs in its working lists, where orphan recovery finds them.
//
// When every queue is empty it blocks in BLMOVE on the first queue of the fetch order (Redis
// cannot block atomically on several lists and move): FETCH_TIMEOUT with one queue, a short
// IDLE_BLOCK with several so a job on another queue waits at most that long on an idle worker.
// Optionally a batch is fetched ahead (prefetch): such jobs wait in the working list, where a
// crash cannot lose them.

import { FETCH_TIMEOUT, type Fetcher, type FetcherContext, type UnitOfWork } from "@kiq/core";
import type { AckBatch } from "./ack-batch.js";
import type { TrackerRedis } from "./host-types.js";
import { requeueJobs, type TrackerScripts, withTrackerScripts } from "./scripts.js";
import { workingList } from "./working-lists.js";

/** Seconds to block on the first queue when a worker serves several and all are empty. */
export const IDLE_BLOCK = 0.25;
/** Most jobs one fetch script moves (Lua's unpack limit is far above; this bounds one call). */
export const MAX_FETCH_BATCH = 1000;

const QUEUE_PREFIX = "queue:";

export interface ReliableFetchOptions {
  acks: AckBatch;
  /** Jobs fetched ahead of free slots; 0 fetches only what the slots ask for. */
  prefetch: number;
}

export class ReliableFetch implements Fetcher {
  private readonly popper: TrackerRedis & TrackerScripts;
  private readonly redis: TrackerRedis;
  private readonly workingLists = new Map<string, string>();
  private readonly buffer: UnitOfWork[] = [];
  private refill: Promise<void> | undefined;
  private refillError: unknown;
  private closed = false;
  private popperId: number | undefined;

  constructor(
    private readonly context: FetcherContext,
    private readonly options: ReliableFetchOptions,
  ) {
    this.redis = context.redis;
    this.popper = withTrackerScripts(context.popper);
    const learnId = () => {
      context.popper.client("ID").then(
        (id) => {
          this.popperId = Number(id);
        },
        () => {},
      );
    };
    context.popper.on("ready", learnId);
    if (context.popper.status === "ready") learnId();
  }

  /** The working lists this process fetches into, one per queue it serves. */
  get ownWorkingLists(): string[] {
    return this.context.queues.names.map((name) => this.working(QUEUE_PREFIX + name));
  }

  async retrieveWork(max: number): Promise<UnitOfWork[]> {
    if (this.closed) return [];
    if (this.buffer.length === 0 && this.refill) {
      await this.refill;
      if (this.refillError !== undefined) {
        const error = this.refillError;
        this.refillError = undefined;
        throw error;
      }
    }
    if (this.buffer.length === 0) await this.fetch(max + this.options.prefetch, true);
    const works = this.buffer.splice(0, max);
    this.startRefill();
    return works;
  }

  acknowledge(work: UnitOfWork): void {
    this.options.acks.add(this.working(QUEUE_PREFIX + work.queue), work.payload);
  }

  /** Pushed last-fetched first, so the first-fetched job ends at the tail and is fetched next again. */
  async requeue(works: readonly UnitOfWork[]): Promise<void> {
    await requeueJobs(
      this.redis,
      [...works].reverse().map((work) => {
        const queueKey = QUEUE_PREFIX + work.queue;
        return { working: this.working(queueKey), queueKey, held: work.payload, pushed: work.payload };
      }),
    );
  }

  /** CLIENT UNBLOCK … TIMEOUT ends a BLMOVE as if it had timed out: no job is moved. */
  async wake(): Promise<void> {
    if (this.popperId !== undefined) await this.redis.client("UNBLOCK", this.popperId, "TIMEOUT");
  }

  /**
   * Stops fetching and puts jobs fetched ahead back in their queues. Safe to call more than once:
   * quiet calls it, and shutdown again once the fetch loop has surely ended.
   */
  async release(): Promise<void> {
    this.closed = true;
    await this.refill;
    const ahead = this.buffer.splice(0);
    if (ahead.length > 0) await this.requeue(ahead);
  }

  private startRefill(): void {
    const want = this.options.prefetch - this.buffer.length;
    if (want <= 0 || this.refill || this.closed) return;
    this.refill = this.fetch(want, false)
      .catch((error) => {
        this.refillError = error;
      })
      .finally(() => {
        this.refill = undefined;
      });
  }

  private async fetch(want: number, block: boolean): Promise<void> {
    const keys = this.context.queues.fetchOrder();
    const working = keys.map((key) => this.working(key));
    const flat = await this.popper.trackerMoveJobs(
      keys.length * 2,
      ...keys,
      ...working,
      Math.min(want, MAX_FETCH_BATCH),
    );
    for (let i = 0; i < flat.length; i += 2) {
      this.buffer.push({
        queue: (flat[i] as string).slice(QUEUE_PREFIX.length),
        payload: flat[i + 1] as string,
      });
    }
    if (flat.length > 0 || !block) return;
    const first = keys[0] as string;
    const timeout = keys.length === 1 ? FETCH_TIMEOUT : IDLE_BLOCK;
    const job = await this.popper.blmove(first, working[0] as string, "RIGHT", "LEFT", timeout);
    if (job !== null) this.buffer.push({ queue: first.slice(QUEUE_PREFIX.length), payload: job });
  }

  private working(queueKey: string): string {
    let key = this.workingLists.get(queueKey);
    if (key === undefined) {
      key = workingList(queueKey, this.context.identity);
      this.workingLists.set(queueKey, key);
    }
    return key;
  }
}
