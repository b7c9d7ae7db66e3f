// Moving jobs out of a sorted set (schedule, retry, dead) in one script call: onto their queues
// with a new enqueued_at, or as they are into the dead set. The scheduled poller moves due jobs
// this way, and the API's "retry now", "add to queue" and "kill" do too, so a job taken by one
// mover is never also taken by another (Ruby's poller, a Web UI click, kiq's poller).
//
// Unlike Ruby, which parses the job and pushes it through its client again (re-encoding it), kiq
// pushes the stored string with only the fields it owns changed, so every other byte survives.

import type { Redis } from "ioredis";
import { DEAD, QUEUES, queueKey } from "../redis/keys.js";
import moveJobsLua from "../redis/scripts/move-jobs.lua";
import { withScripts } from "../redis/scripts.js";
import { formatFloat } from "../wire/json.js";
import { Payload } from "../wire/payload.js";
import type { RubyFloat } from "../wire/ruby-float.js";
import { DEAD_MAX_JOBS, DEAD_TIMEOUT_SECONDS } from "./dead-set.js";

/** The queue of a job without a `queue` key (Sidekiq's default). */
export const DEFAULT_QUEUE = "default";
/** A bound that takes a member whatever its score. */
export const ANY_SCORE = "+inf";

/** One job to push: the member as stored, the payload to push instead, and its queue. */
export interface QueuePush {
  member: string;
  payload: string;
  queue: string;
}

export interface MoveJobsRequest {
  /** The sorted set to take the members from. */
  set: string;
  /** Highest score taken (Float#to_s text or ANY_SCORE): a member rescored above it stays. */
  maxScore: string;
  pushes?: readonly QueuePush[];
  /** Members to put in the dead set as they are, scored `nowMs`, with the morgue's trims. */
  kills?: readonly string[];
  /** Epoch ms: the dead-set score and trim cutoff. */
  nowMs: number;
}

export interface MoveJobsResult {
  /** How many of `pushes` this call took and pushed. */
  pushed: number;
  /** The members of `kills` this call took (the others were already gone or rescored). */
  killed: string[];
}

interface MoveJobsScript {
  moveJobs(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<[number, ...string[]]>;
}

/** Takes the members still in the set (within `maxScore`) and pushes or kills them, atomically. */
export async function moveJobs(redis: Redis, request: MoveJobsRequest): Promise<MoveJobsResult> {
  const { set, maxScore, pushes = [], kills = [], nowMs } = request;
  if (pushes.length === 0 && kills.length === 0) return { pushed: 0, killed: [] };
  const scripted = withScripts<MoveJobsScript>(redis, [{ name: "moveJobs", lua: moveJobsLua }]);
  const nowSeconds = nowMs / 1000;
  const [pushed, ...killed] = await scripted.moveJobs(
    3 + pushes.length,
    set,
    QUEUES,
    DEAD,
    ...pushes.map((push) => queueKey(push.queue)),
    maxScore,
    formatFloat(nowSeconds),
    formatFloat(nowSeconds - DEAD_TIMEOUT_SECONDS),
    -DEAD_MAX_JOBS,
    kills.length,
    ...kills,
    ...pushes.flatMap((push) => [push.member, push.payload, push.queue]),
  );
  return { pushed, killed };
}

/**
 * The push of a stored member: its payload with `enqueued_at` set (after `edit`, if given) and its
 * queue; or, as a string, why it cannot be pushed.
 */
export function preparePush(
  member: string,
  enqueuedAt: RubyFloat | number,
  edit?: (payload: Payload) => void,
): QueuePush | string {
  try {
    const payload = Payload.parse(member);
    const stored: unknown = payload.item.queue;
    const queue = stored === undefined ? DEFAULT_QUEUE : stored;
    // Ruby's client refuses a null or empty queue too (and, having popped the job already, loses it).
    if (typeof queue !== "string" || queue === "") return '"queue" is not a non-empty string';
    edit?.(payload);
    return { member, payload: payload.set("enqueued_at", enqueuedAt).toString(), queue };
  } catch (err) {
    return (err as Error).message;
  }
}
