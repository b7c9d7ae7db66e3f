// A job in the schedule, retry or dead set with its score (Sidekiq's SortedEntry): when it runs,
// is retried, or died. Each action goes by the exact stored string, so it acts on this job as it
// was read and never on one that has since changed.

import { JobRecord } from "./job-record.js";
import type { JobSet } from "./job-set.js";

export class SortedEntry extends JobRecord {
  /** The score: epoch seconds (Float) in every Sidekiq version. */
  readonly score: number;
  /** The set it was read from. */
  readonly set: JobSet;

  constructor(set: JobSet, value: string, score: string | number) {
    super(set.context, value);
    this.set = set;
    this.score = Number(score);
  }

  /** The score as a time. */
  get at(): Date {
    return new Date(this.score * 1000);
  }

  /** True when it failed at least once (has an `error_class`). */
  get error(): boolean {
    return this.item.error_class !== undefined;
  }

  /** Removes it from the set (ZREM of the exact string); false when it was no longer there. */
  override async delete(): Promise<boolean> {
    return (await this.set.deleteMembers([this.value])) > 0;
  }

  /**
   * "Retry now": out of the set and onto its queue with a new enqueued_at and `retry_count` one
   * lower (when present), every other byte kept. False when it was no longer in the set; throws
   * MalformedPayloadError (leaving it in place) when it is not a job that can be pushed.
   */
  retry(): Promise<boolean> {
    return this.set.enqueueMember(this.value, { retry: true });
  }

  /** "Add to queue" (scheduled jobs): out of the set and onto its queue, `retry_count` untouched. */
  addToQueue(): Promise<boolean> {
    return this.set.enqueueMember(this.value, { retry: false });
  }

  /** Moves it to the dead set as it is, with the morgue's trims. False when it was no longer in the set. */
  async kill(): Promise<boolean> {
    return (await this.set.killMembers([this.value])) > 0;
  }
}
