// Draining fake mode's queue: captured jobs run through their handlers, oldest first, until none
// is left, including jobs pushed while draining. Retries are not simulated: the first error stops
// the drain and reaches the test, the failed job already removed (as Sidekiq's drain does).

import { KiqError } from "../errors.js";
import type { JobDefinition } from "../server/job.js";
import type { CapturedJob } from "./captured-job.js";
import { fakeQueue } from "./fake-queue.js";
import { type RegistryLike, requireHandler } from "./handlers.js";
import { performJob } from "./perform.js";

/** Jobs one drain may run before it decides a job keeps pushing itself (a drain never yields to timers). */
export const MAX_DRAINED_JOBS = 100_000;

/** Runs the captured jobs whose class `handlers` know; others stay captured. Resolves to how many ran. */
export function drainKnown(handlers: RegistryLike): Promise<number> {
  return drainWith((job) => handlers.get(job.class));
}

/** Runs every captured job; one whose class has no handler stops the drain with an error. */
export function drainEvery(handlers: RegistryLike): Promise<number> {
  return drainWith((job) => requireHandler(handlers, job.class));
}

async function drainWith(handlerOf: (job: CapturedJob) => JobDefinition | undefined): Promise<number> {
  let performed = 0;
  for (;;) {
    const next = firstRunnable(handlerOf);
    if (next === undefined) return performed;
    if (performed === MAX_DRAINED_JOBS) {
      throw new KiqError(`drain ran ${MAX_DRAINED_JOBS} jobs and more keep coming: does a job push itself?`);
    }
    fakeQueue.remove(next.job);
    await performJob(next.job, next.definition);
    performed++;
  }
}

function firstRunnable(handlerOf: (job: CapturedJob) => JobDefinition | undefined) {
  for (const job of fakeQueue.all()) {
    const definition = handlerOf(job);
    if (definition) return { job, definition };
  }
  return undefined;
}
