// The reliable fetch: jobs move from their queue into this process' working list in the same
// script that takes them (many per round trip, in the QueueList's order), stay there while they
// run, and leave when their outcome is written (batched LREMs). A process killed mid-job leaves
// its jobs in its working lists, where orphan recovery finds them.
//
// When every queue is empty it blocks in BLMOVE on the first queue of the fetch order (Redis
// cannot block atomically on several lists and move): FETCH_TIMEOUT with one queue, a short
// IDLE_BLOCK with several so a job on another queue waits at most that long on an idle worker.
// While a batch runs, the next one is fetched (prefetch), so the worker does not wait for a round
// trip between batches; such jobs wait in the working list, where a crash cannot lose them. By
// default a batch as large as the slots ask for, and only while jobs are short (QUICK_JOB_MS):
// with longer jobs the round trip hardly matters, and jobs held ahead would wait here while
// another process' slots are free.

import { FETCH_TIMEOUT, type Fetcher, type FetcherContext, type UnitOfWork } from "@kiq/core";
import { type Ack, AckBatch } from "./ack-batch.js";
import { HeldJobs } from "./held-jobs.js";
import type { TrackerRedis } from "./host-types.js";
import { requeueJobs, type TrackerScripts, withTrackerScripts } from "./scripts.js";
import { workingList } from "./working-lists.js";

/** Seconds to block on the first queue when a worker serves several and all are empty. */
export const IDLE_BLOCK = 0.25;
/** Most jobs one fetch script moves (Lua's unpack limit is far above; this bounds one call). */
export const MAX_FETCH_BATCH = 1000;
/** By default jobs are fetched ahead while the last one acknowledged ran shorter than this. */
export const QUICK_JOB_MS = 5;

const QUEUE_PREFIX = "queue:";

export interface ReliableFetchOptions {
  /** Jobs fetched ahead of free slots; 0: only what the slots ask for; undefined: a batch while jobs are short. */
  prefetch: number | undefined;
}

export class ReliableFetch implements Fetcher {
  private readonly popper: TrackerRedis & TrackerScripts;
  private readonly redis: TrackerRedis & TrackerScripts;
  private readonly acks: AckBatch;
  private readonly workingLists = new Map<string, string>();
  private readonly buffer: UnitOfWork[] = [];
  /** One running job at a time is timed, from being handed to the worker to its ack. */
  private timed: UnitOfWork | undefined;
  private timedAt = 0;
  private refill: Promise<void> | undefined;
  private refillError: unknown;
  private closed = false;
  private popperId: number | undefined;
  private readonly held = new HeldJobs();
  /** The fetch connection came back: a fetch may have moved jobs whose reply was lost. */
  private reconnected = false;
  /** wake() came while no BLMOVE was waiting (a fetch ahead was under way): skip the next one. */
  private woken = false;
  /** The most jobs the slots asked for at once. */
  private batch = 0;
  /** Milliseconds the last timed job ran. */
  private lastRunMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly context: FetcherContext,
    private readonly options: ReliableFetchOptions,
  ) {
    this.redis = withTrackerScripts(context.redis);
    this.popper = withTrackerScripts(context.popper);
    this.acks = new AckBatch(
      (acks) => this.writeAcks(acks),
      () => this.refill,
      context.logger,
    );
    const learnId = () => {
      context.popper.client("ID").then(
        (id) => {
          this.popperId = Number(id);
        },
        () => {},
      );
    };
    let connected = context.popper.status === "ready";
    context.popper.on("ready", () => {
      if (connected) this.reconnected = true;
      connected = true;
      learnId();
    });
    if (connected) learnId();
  }

  /** The working lists this process fetches into, one per queue it serves. */
  get ownWorkingLists(): string[] {
    return this.context.queues.names.map((name) => this.working(QUEUE_PREFIX + name));
  }

  async retrieveWork(max: number): Promise<UnitOfWork[]> {
    if (this.reconnected) await this.reclaimStrays();
    if (max > this.batch) this.batch = max;
    if (this.buffer.length === 0 && this.refill) {
      await this.refill;
      if (this.refillError !== undefined) {
        const error = this.refillError;
        this.refillError = undefined;
        throw error;
      }
    }
    // After release() it fetches only what is asked (the manager pushes back what comes after quiet).
    if (this.buffer.length === 0) await this.fetch(this.closed ? max : max + this.ahead, true);
    const works = this.buffer.splice(0, max);
    if (this.timed === undefined && works.length > 0) {
      this.timed = works[0];
      this.timedAt = performance.now();
    }
    this.startRefill();
    return works;
  }

  acknowledge(work: UnitOfWork): void {
    if (work === this.timed) {
      this.lastRunMs = performance.now() - this.timedAt;
      this.timed = undefined;
    }
    this.acks.add(work);
  }

  /** Pushed last-fetched first, so the first-fetched job ends at the tail and is fetched next again. */
  async requeue(works: readonly UnitOfWork[]): Promise<void> {
    const jobs = [...works].reverse().map((work) => {
      const queueKey = QUEUE_PREFIX + work.queue;
      return { working: this.working(queueKey), queueKey, held: work.payload, pushed: work.payload };
    });
    await requeueJobs(this.redis, jobs);
    for (const job of jobs) this.held.delete(job.held);
  }

  /** CLIENT UNBLOCK … TIMEOUT ends a BLMOVE as if it had timed out: no job is moved. */
  async wake(): Promise<void> {
    this.woken = true;
    if (this.popperId !== undefined) await this.redis.client("UNBLOCK", this.popperId, "TIMEOUT");
  }

  /**
   * Stops fetching ahead, puts jobs fetched ahead back in their queues and writes every pending
   * ack. Safe to call more than once: quiet calls it, and shutdown again once no job runs.
   */
  async release(): Promise<void> {
    this.closed = true;
    await this.refill;
    const waiting = this.buffer.splice(0);
    if (waiting.length > 0) await this.requeue(waiting);
    await this.acks.flush();
  }

  /** Jobs to hold fetched ahead now: by default a batch, while the timed jobs run short. */
  private get ahead(): number {
    if (this.options.prefetch !== undefined) return this.options.prefetch;
    const quick =
      this.lastRunMs < QUICK_JOB_MS &&
      (this.timed === undefined || performance.now() - this.timedAt < QUICK_JOB_MS);
    return quick ? this.batch : 0;
  }

  /** Refills once half the jobs fetched ahead are taken: slots freeing one by one must not mean one fetch each. */
  private startRefill(): void {
    const ahead = this.ahead;
    const want = ahead - this.buffer.length;
    if (want * 2 < ahead || want <= 0 || this.refill || this.closed) return;
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
    // Acks ride along; one for a queue not fetched from now (none today) waits for writeAcks.
    const acks = this.acks.take();
    const names = keys.map((key) => key.slice(QUEUE_PREFIX.length));
    const carried = acks.filter((ack) => names.includes(ack.queue));
    if (carried.length < acks.length) this.acks.restore(acks.filter((ack) => !names.includes(ack.queue)));
    let flat: string[];
    try {
      flat = await this.popper.trackerMoveJobs(
        keys.length * 2,
        ...keys,
        ...working,
        Math.min(want, MAX_FETCH_BATCH),
        "oldest",
        ...ackArgs(names, carried),
      );
    } catch (error) {
      this.acks.restore(carried);
      throw error;
    }
    this.forgetAcked(carried);
    for (let i = 0; i < flat.length; i += 2) {
      const source = flat[i] as string;
      const payload = flat[i + 1] as string;
      this.held.add(payload);
      this.buffer.push({ queue: source.slice(QUEUE_PREFIX.length), payload });
    }
    if (flat.length > 0 || !block) return;
    if (this.woken) {
      this.woken = false;
      return;
    }
    const first = keys[0] as string;
    const timeout = keys.length === 1 ? FETCH_TIMEOUT : IDLE_BLOCK;
    const job = await this.popper.blmove(first, working[0] as string, "RIGHT", "LEFT", timeout);
    this.woken = false;
    if (job !== null) {
      this.held.add(job);
      this.buffer.push({ queue: first.slice(QUEUE_PREFIX.length), payload: job });
    }
  }

  /** Acks no fetch carried: the same script, moving nothing, on the command connection. */
  private async writeAcks(acks: readonly Ack[]): Promise<void> {
    const names = [...new Set(acks.map((ack) => ack.queue))];
    const keys = names.map((name) => QUEUE_PREFIX + name);
    const working = keys.map((key) => this.working(key));
    await this.redis.trackerMoveJobs(
      keys.length * 2,
      ...keys,
      ...working,
      0,
      "oldest",
      ...ackArgs(names, acks),
    );
    this.forgetAcked(acks);
  }
  private forgetAcked(acks: readonly Ack[]): void {
    for (const ack of acks) this.held.delete(ack.payload);
  }

  /**
   * Puts back the jobs a fetch moved into the working lists while its reply was lost. Runs in
   * retrieveWork, so no fetch of this process is under way; acks are written first, so what the
   * lists hold beyond the held jobs is stray. (A recovery pass moving orphans through these lists
   * right then gets its job pushed back unedited: once, not lost.)
   */
  private async reclaimStrays(): Promise<void> {
    await this.refill;
    await this.acks.flush();
    const entries: { working: string; queueKey: string; held: string; pushed: string }[] = [];
    for (const name of this.context.queues.names) {
      const queueKey = QUEUE_PREFIX + name;
      const working = this.working(queueKey);
      // LRANGE lists the newest first: pushed in that order, the oldest is fetched first.
      for (const payload of await this.redis.lrange(working, 0, -1)) {
        entries.push({ working, queueKey, held: payload, pushed: payload });
      }
    }
    const strays = this.held.strays(entries, (entry) => entry.held);
    const pushed = strays.length > 0 ? await requeueJobs(this.redis, strays) : 0;
    this.reconnected = false;
    if (pushed === 0) return;
    this.context.logger.warn(
      { jobs: pushed },
      "tracker: took back jobs a fetch cut off by a reconnect had moved",
    );
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

/** ARGV for the move script's acks: for each queue of `names` in turn, how many, then their payloads. */
function ackArgs(names: readonly string[], acks: readonly Ack[]): (string | number)[] {
  const args: (string | number)[] = [];
  for (const name of names) {
    const count = args.push(0) - 1;
    for (const ack of acks) if (ack.queue === name) args.push(ack.payload);
    args[count] = args.length - count - 1;
  }
  return args;
}
