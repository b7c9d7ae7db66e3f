// The tracker's Redis scripts, defined once per connection and called by name (EVALSHA). They move
// stored strings as they are and never decode a payload.

import type { TrackerRedis } from "./host-types.js";
import buryJobLua from "./lua/bury-job.lua";
import moveJobsLua from "./lua/move-jobs.lua";
import requeueJobsLua from "./lua/requeue-jobs.lua";

export interface TrackerScripts {
  /** KEYS: sources then their working lists; ARGV: how many. Returns [source, job, …]. */
  trackerMoveJobs(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<string[]>;
  /** KEYS: "queues", then (working, queue) pairs; ARGV: (held, pushed) pairs. Returns how many went back. */
  trackerRequeueJobs(numKeys: number, ...keysThenArgs: string[]): Promise<number>;
  /** working, dead, held, buried, score. Returns 1 if moved. */
  trackerBuryJob(working: string, dead: string, held: string, buried: string, score: string): Promise<number>;
}

export function withTrackerScripts(redis: TrackerRedis): TrackerRedis & TrackerScripts {
  if (!("trackerMoveJobs" in redis)) {
    redis.defineCommand("trackerMoveJobs", { lua: moveJobsLua });
    redis.defineCommand("trackerRequeueJobs", { lua: requeueJobsLua });
    redis.defineCommand("trackerBuryJob", { lua: buryJobLua, numberOfKeys: 2 });
  }
  return redis as TrackerRedis & TrackerScripts;
}

/** Puts jobs back at the fetch end of their queues (RPUSH), each only if `working` still held it. */
export async function requeueJobs(
  redis: TrackerRedis,
  jobs: readonly { working: string; queueKey: string; held: string; pushed: string }[],
): Promise<number> {
  let pushed = 0;
  for (let i = 0; i < jobs.length; i += REQUEUE_BATCH) {
    const keys: string[] = ["queues"];
    const args: string[] = [];
    for (const job of jobs.slice(i, i + REQUEUE_BATCH)) {
      keys.push(job.working, job.queueKey);
      args.push(job.held, job.pushed);
    }
    pushed += await withTrackerScripts(redis).trackerRequeueJobs(keys.length, ...keys, ...args);
  }
  return pushed;
}

/** Jobs per requeue script call: bounded so one call never holds Redis long. */
const REQUEUE_BATCH = 500;
