// Acknowledgements, batched: a finished job leaves its working list by LREM, and every LREM issued
// in the same turn of the event loop (or while the previous batch was on the wire) goes in one
// pipeline. An ack that a crash cuts off only means the job runs again, never that it is lost, so
// the processor need not wait for it; shutdown waits for every ack before it requeues anything.

import type { TrackerLogger as Logger, TrackerRedis } from "./host-types.js";

export class AckBatch {
  private pending: [working: string, payload: string][] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly redis: TrackerRedis,
    private readonly logger: Logger,
  ) {}

  add(working: string, payload: string): void {
    this.pending.push([working, payload]);
    this.writing ??= this.writeSoon();
  }

  /** Resolves when every ack added so far is in Redis (or failed and was logged). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeSoon(): Promise<void> {
    await new Promise(setImmediate);
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const pipeline = this.redis.pipeline();
      // From the tail: jobs finish roughly in fetch order, and the oldest sit at the tail.
      for (const [working, payload] of batch) pipeline.lrem(working, -1, payload);
      try {
        const replies = (await pipeline.exec()) ?? [];
        const failed = replies.find(([error]) => error);
        if (failed) throw failed[0];
      } catch (error) {
        // The jobs stay in the working list: they would run again after this process dies.
        this.logger.error({ err: error, jobs: batch.length }, "tracker: could not acknowledge finished jobs");
      }
    }
    this.writing = undefined;
  }
}
