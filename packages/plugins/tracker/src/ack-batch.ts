// Acknowledgements, batched: a finished job leaves its working list by LREM. Pending acks ride on
// the next fetch script (no round trip of their own). While a fetch ahead is under way the next
// one usually follows as soon as it returns, so acks wait for it; those still pending one turn of
// the event loop after that (the fetch is blocked, or every slot is busy) are written by `write`
// in one call. An ack that a crash cuts off only means the job runs again, never that it is lost, so the
// processor need not wait for it; shutdown waits for every ack before it exits.

import type { TrackerLogger } from "./host-types.js";

/** A finished job: the name of the queue it was fetched from and its payload as held. */
export interface Ack {
  queue: string;
  payload: string;
}

export class AckBatch {
  private pending: Ack[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: (acks: Ack[]) => Promise<void>,
    /** The fetch ahead under way, if any. */
    private readonly fetching: () => Promise<void> | undefined,
    private readonly logger: TrackerLogger,
  ) {}

  add(ack: Ack): void {
    this.pending.push(ack);
    this.writing ??= this.writeSoon();
  }

  /** Takes the pending acks, for a fetch to carry; give them back with `restore` if it fails. */
  take(): Ack[] {
    const taken = this.pending;
    if (taken.length > 0) this.pending = [];
    return taken;
  }

  restore(acks: readonly Ack[]): void {
    if (acks.length === 0) return;
    this.pending.push(...acks);
    this.writing ??= this.writeSoon();
  }

  /** Resolves when every ack added so far is in Redis (or failed and was logged). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeSoon(): Promise<void> {
    await new Promise(setImmediate);
    for (let fetch = this.fetching(); fetch && this.pending.length > 0; fetch = this.fetching()) {
      await fetch;
      await new Promise(setImmediate);
    }
    while (this.pending.length > 0) {
      const batch = this.take();
      try {
        await this.write(batch);
      } catch (error) {
        // The jobs stay in the working list: they would run again after this process dies.
        this.logger.error({ err: error, jobs: batch.length }, "tracker: could not acknowledge finished jobs");
      }
    }
    this.writing = undefined;
  }
}
