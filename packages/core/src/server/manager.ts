// Keeps `concurrency` slots busy: one fetch loop asks for as many jobs as there are free slots,
// dispatches them, and on quiet stops fetching (pushing back anything fetched after the stop).

import type { Logger } from "pino";
import { ShutdownError } from "../errors.js";
import type { Fetcher, UnitOfWork } from "./fetcher.js";
import type { Processor } from "./processor.js";
import { Slot } from "./slot.js";
import type { Work } from "./work.js";

/** Pause after a failed fetch (Redis down) before trying again. */
export const FETCH_ERROR_PAUSE_MS = 1000;

export interface ManagerOptions {
  concurrency: number;
  fetcher: Fetcher;
  processor: Processor;
  logger: Logger;
}

export class Manager {
  private readonly free: Slot[];
  private readonly busySlots = new Set<Slot>();
  private fetching: Promise<void> | undefined;
  private quieting = false;
  private readonly waiters = new Set<() => void>();
  /** The last fetch error, until a fetch succeeds again (for health reporting). */
  fetchError: Error | undefined;
  /** Epoch ms of the first of the fetch errors that have not been followed by a success. */
  fetchErrorSince: number | undefined;

  constructor(private readonly options: ManagerOptions) {
    this.free = Array.from({ length: options.concurrency }, () => new Slot());
  }

  get busy(): number {
    return this.busySlots.size;
  }

  *running(): Iterable<Work> {
    for (const slot of this.busySlots) {
      const work = slot.toWork();
      if (work) yield work;
    }
  }

  start(): void {
    this.fetching ??= this.fetchLoop();
  }

  /** Stops fetching; resolves once no fetch is in flight (at most one blocking fetch timeout). */
  async quiet(): Promise<void> {
    this.quieting = true;
    this.notify();
    // Not awaited: with Redis away it would wait for the reconnect; at worst the fetch times out.
    this.options.fetcher.wake?.().catch(() => {});
    await this.fetching;
  }

  /** Resolves true when every running job has finished, false if `ms` passed first. */
  async drain(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.busySlots.size > 0) {
      if (Date.now() >= deadline) return false;
      await this.waitForSlot(Math.min(deadline - Date.now(), 500));
    }
    return true;
  }

  /**
   * Marks every unfinished job interrupted (its outcome will not be recorded) and pushes it back
   * to its queue; `requeued` settles when Redis has them. Then call abort().
   */
  interrupt(): { works: UnitOfWork[]; requeued: Promise<void> } {
    const works: UnitOfWork[] = [];
    for (const slot of this.busySlots) {
      slot.interrupted = true;
      if (slot.work) works.push(slot.work);
    }
    return { works, requeued: this.options.fetcher.requeue(works) };
  }

  /** Fires the AbortSignal of every running job. */
  abort(): void {
    for (const slot of this.busySlots) {
      slot.abort(new ShutdownError("the worker is shutting down; the job was pushed back to its queue"));
    }
  }

  private async fetchLoop(): Promise<void> {
    const { fetcher, logger } = this.options;
    while (!this.quieting) {
      if (this.free.length === 0) {
        await this.waitForSlot();
        continue;
      }
      let works: UnitOfWork[];
      try {
        works = await fetcher.retrieveWork(this.free.length);
        this.fetchError = this.fetchErrorSince = undefined;
      } catch (error) {
        this.fetchError = error as Error;
        this.fetchErrorSince ??= Date.now();
        logger.error({ err: error }, "fetch failed; retrying");
        await this.waitForSlot(FETCH_ERROR_PAUSE_MS);
        continue;
      }
      if (this.quieting) {
        await fetcher.requeue(works); // fetched after quiet began: back to the tail, next in line
        break;
      }
      for (const work of works) this.dispatch(work);
    }
  }

  private dispatch(work: UnitOfWork): void {
    const slot = this.free.pop() as Slot;
    slot.begin(work);
    this.busySlots.add(slot);
    this.options.processor
      .process(work, slot)
      .catch((error) =>
        this.options.logger.error({ err: error, queue: work.queue }, "job processing failed unexpectedly"),
      )
      .finally(() => {
        this.busySlots.delete(slot);
        slot.end();
        this.free.push(slot);
        this.notify();
      });
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** Waits until a slot frees (or quiet begins), or `ms` passes. */
  private waitForSlot(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
