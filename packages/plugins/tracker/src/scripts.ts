// The tracker's Redis scripts, defined once per connection and called by name (EVALSHA). They move
// stored strings as they are and never decode a payload.

import type { TrackerRedis } from "./host-types.js";
import buryJobLua from "./lua/bury-job.lua";
import claimTrackedLua from "./lua/claim-tracked.lua";
import moveJobsLua from "./lua/move-jobs.lua";
import requeueJobsLua from "./lua/requeue-jobs.lua";
import returnTrackedLua from "./lua/return-tracked.lua";

export interface TrackerScripts {
  /** KEYS: sources then their working lists; ARGV: how many, "oldest"/"newest", then per working list its acks' count and payloads. Returns [source, job, …]. */
  trackerMoveJobs(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<string[]>;
  /** KEYS: "queues", then (working, queue) pairs; ARGV: (held, pushed) pairs. Returns how many went back. */
  trackerRequeueJobs(numKeys: number, ...keysThenArgs: string[]): Promise<number>;
  /** working, dead, held, buried, score. Returns 1 if moved. */
  trackerBuryJob(working: string, dead: string, held: string, buried: string, score: string): Promise<number>;
  /** dead set, own set, job-copy prefix. Returns [jid, copy or null], or null when empty. */
  trackerClaimTracked(dead: string, own: string, prefix: string): Promise<[string, string | null] | null>;
  /** own set, job copy, destination, "queues"; jid, job, score or "", queue. */
  trackerReturnTracked(
    own: string,
    copy: string,
    destination: string,
    queues: string,
    jid: string,
    job: string,
    score: string,
    queue: string,
  ): Promise<number>;
}

export function withTrackerScripts(redis: TrackerRedis): TrackerRedis & TrackerScripts {
  if (!("trackerMoveJobs" in redis)) {
    redis.defineCommand("trackerMoveJobs", { lua: moveJobsLua });
    redis.defineCommand("trackerRequeueJobs", { lua: requeueJobsLua });
    redis.defineCommand("trackerBuryJob", { lua: buryJobLua, numberOfKeys: 2 });
    redis.defineCommand("trackerClaimTracked", { lua: claimTrackedLua, numberOfKeys: 2 });
    redis.defineCommand("trackerReturnTracked", { lua: returnTrackedLua, numberOfKeys: 4 });
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
