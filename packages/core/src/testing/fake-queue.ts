// Fake mode's queue: pushed jobs kept in memory in push order instead of Redis, looked up by job
// class (Sidekiq::Queues and `HardJob.jobs`).

import type { PushInterceptor } from "../client/push-interceptor.js";
import { type CapturedJob, classKey, decodeWrite } from "./captured-job.js";

/** Something named by its Sidekiq class: the name itself, a defineJob() definition or a Job class. */
export type ClassRef = string | { readonly className: string };

export class FakeQueue {
  private list: CapturedJob[] = [];

  add(job: CapturedJob): void {
    this.list.push(job);
  }

  /** Every captured job, oldest first (a copy: later pushes do not change it). */
  all(): CapturedJob[] {
    return [...this.list];
  }

  /** The captured jobs of one class, oldest first. */
  forClass(ref: ClassRef): CapturedJob[] {
    const name = nameOf(ref);
    return this.list.filter((job) => classKey(job.class) === name);
  }

  remove(job: CapturedJob): void {
    const index = this.list.indexOf(job);
    if (index >= 0) this.list.splice(index, 1);
  }

  clear(ref: ClassRef): void {
    const name = nameOf(ref);
    this.list = this.list.filter((job) => classKey(job.class) !== name);
  }

  clearAll(): void {
    this.list = [];
  }
}

export const fakeQueue = new FakeQueue();

/** Fake mode's push interceptor: captures instead of writing. */
export const captureWrites: PushInterceptor = async (writes) => {
  for (const write of writes) fakeQueue.add(decodeWrite(write));
};

function nameOf(ref: ClassRef): string {
  return classKey(typeof ref === "string" ? ref : ref.className);
}
