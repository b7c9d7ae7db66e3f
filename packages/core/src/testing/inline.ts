// Inline mode: a pushed job runs at once, inside the push, through its registered handler (as
// Sidekiq::Testing.inline! does); scheduled jobs too. The push rejects with the handler's error.

import type { PushInterceptor } from "../client/push-interceptor.js";
import { decodeWrite } from "./captured-job.js";
import { registeredJobs, requireHandler } from "./handlers.js";
import { performJob } from "./perform.js";

/** Inline mode's push interceptor. */
export const performWrites: PushInterceptor = async (writes) => {
  for (const write of writes) {
    const job = decodeWrite(write);
    await performJob(job, requireHandler(registeredJobs, job.class));
  }
};
