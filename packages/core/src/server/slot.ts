// One unit of concurrency: at most one job runs in a slot at a time. Its tid names the job in the
// running-jobs hash; its AbortController is made only when a handler asks for the signal.

import type { UnitOfWork } from "./fetcher.js";
import { slotTid } from "./identity.js";
import type { Work } from "./work.js";

export class Slot {
  readonly tid = slotTid();
  work: UnitOfWork | undefined;
  runAt = 0;
  /** Set when shutdown pushed the job back to its queue: its outcome must not be recorded. */
  interrupted = false;
  private controller: AbortController | undefined;

  begin(work: UnitOfWork): void {
    this.work = work;
    this.runAt = Math.floor(Date.now() / 1000);
    this.interrupted = false;
    this.controller = undefined;
  }

  end(): void {
    this.work = undefined;
    this.controller = undefined;
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  abort(reason: Error): void {
    this.controller ??= new AbortController();
    this.controller.abort(reason);
  }

  /** The running job as the heartbeat publishes it. */
  toWork(): Work | undefined {
    return (
      this.work && { tid: this.tid, queue: this.work.queue, payload: this.work.payload, runAt: this.runAt }
    );
  }
}
