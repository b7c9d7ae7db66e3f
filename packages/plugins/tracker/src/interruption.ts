// What happens to a job whose process died while holding it: its `interrupted_count` goes up by one
// (appended as the last field the first time, as gitlab-sidekiq-fetcher writes it) and it runs
// again — unless that count reaches the limit: then the job is a poison pill that keeps killing
// processes, and it goes to the dead set with an error saying so instead of killing the fleet.

import { encodeTimestamp, nowMs, Payload, type SidekiqVersion } from "@kiq/core";
import type { TrackerLogger } from "./host-types.js";

/** gitlab-sidekiq-fetcher's default `max_retries_after_interruption`. */
export const DEFAULT_MAX_INTERRUPTIONS = 3;
/** error_class of a job buried for killing its process too often. */
export const POISON_PILL_ERROR = "Kiq::Tracker::PoisonPill";

export type Interruption =
  | { action: "requeue"; payload: string }
  | { action: "bury"; payload: string; count: number };

/**
 * The job to push back (or bury) for one interruption of `held`. The limit is the job's own
 * `max_retries_after_interruption` (the gem's per-class option, stored in the payload) or
 * `maxInterruptions`; a negative limit never buries. Unparseable jobs go back unchanged: the
 * processor sends those to the dead set with its own error.
 */
export function interrupt(held: string, maxInterruptions: number, version: SidekiqVersion): Interruption {
  let job: Payload;
  try {
    job = Payload.parse(held);
  } catch {
    return { action: "requeue", payload: held };
  }
  const count = (Number.parseInt(String(job.item.interrupted_count ?? 0), 10) || 0) + 1;
  job.set("interrupted_count", count);
  const own = job.item.max_retries_after_interruption;
  const limit = typeof own === "number" ? own : maxInterruptions;
  if (limit < 0 || count < limit) return { action: "requeue", payload: job.toString() };
  job.set("error_class", POISON_PILL_ERROR);
  job.set(
    "error_message",
    `its process died ${count} times while running it (interrupted_count ${count}, limit ${limit}); ` +
      "not run again",
  );
  if (job.item.failed_at === undefined) job.set("failed_at", encodeTimestamp(version, nowMs()));
  return { action: "bury", payload: job.toString(), count };
}

/** How a recoverer announces a job it requeues or buries (unique-jobs releases the job's lock); its logger reports a failing listener. */
export interface ReleaseAnnouncer {
  logger: TrackerLogger;
  releaseJob(payload: string, reason: "recovered" | "dead"): Promise<void>;
}

/** Announces a released job; a failing listener is logged and does not stop recovery. */
export async function announceRelease(
  announcer: ReleaseAnnouncer,
  payload: string,
  reason: "recovered" | "dead",
): Promise<void> {
  try {
    await announcer.releaseJob(payload, reason);
  } catch (error) {
    announcer.logger.error({ err: error }, `tracker: a release listener failed for a ${reason} job`);
  }
}
