// What the schedule, retry and dead sets have in common (Sidekiq's JobSet): jobs scored by a time,
// read newest score first, found by jid, and moved out to their queues or to the dead set.
//
// Every move is one script call that takes the exact stored strings (server/move-jobs.ts), so a job
// the poller or Ruby took a moment ago is not pushed a second time, and a job's bytes (Ruby's
// `1.0`, big integers, foreign keys) survive: only enqueued_at and, for a retry, retry_count change.

import { MalformedPayloadError } from "../errors.js";
import { ANY_SCORE, moveJobs, preparePush, type QueuePush } from "../server/move-jobs.js";
import type { Payload } from "../wire/payload.js";
import { encodeTimestamp, nowMs } from "../wire/time.js";
import { SortedEntry } from "./sorted-entry.js";
import { ApiContext, type ApiSource } from "./source.js";

/** Entries read per round trip when iterating (Sidekiq's page_size). */
export const PAGE_SIZE = 50;
/** Entries ZSCAN reads per step in scan() and findJob() (Sidekiq's count). */
export const SCAN_COUNT = 100;
/** Members moved per script call by retryAll() and killAll(). */
export const MOVE_BATCH = 100;

export class JobSet {
  /** The Redis key: `schedule`, `retry` or `dead`. */
  readonly name: string;
  /** The connection and version this set (and its entries) use. */
  readonly context: ApiContext;
  /** Members removed through this object, so an iteration in progress keeps its place (Ruby's @_size). */
  private removed = 0;

  constructor(source: ApiSource, name: string) {
    this.context = new ApiContext(source);
    this.name = name;
  }

  size(): Promise<number> {
    return this.context.redis.zcard(this.name);
  }

  /**
   * Every entry, highest score first (the latest scheduled, retried or killed first), in pages of 50
   * from the top. Entries deleted or moved through this set while iterating do not make it skip any.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<SortedEntry> {
    const removedBefore = this.removed;
    for (let page = -1; ; page--) {
      const start = page * PAGE_SIZE + (this.removed - removedBefore);
      const flat = await this.context.redis.zrange(this.name, start, start + PAGE_SIZE - 1, "WITHSCORES");
      if (flat.length === 0) return;
      for (let i = flat.length - 2; i >= 0; i -= 2) {
        yield new SortedEntry(this, flat[i] as string, flat[i + 1] as string);
      }
    }
  }

  /**
   * Entries whose stored string matches `match` (a ZSCAN glob; `*match*` when it has no `*`). As
   * with SCAN, an entry may be seen twice.
   */
  async *scan(match: string, count: number = SCAN_COUNT): AsyncGenerator<SortedEntry> {
    const pattern = match.includes("*") ? match : `*${match}*`;
    let cursor = "0";
    do {
      const [next, flat] = await this.context.redis.zscan(
        this.name,
        cursor,
        "MATCH",
        pattern,
        "COUNT",
        count,
      );
      for (let i = 0; i < flat.length; i += 2) {
        yield new SortedEntry(this, flat[i] as string, flat[i + 1] as string);
      }
      cursor = next;
    } while (cursor !== "0");
  }

  /** The entry of the job with this jid, or null. Scans the whole set: not for application logic. */
  async findJob(jid: string): Promise<SortedEntry | null> {
    for await (const entry of this.scan(`*${jid}*`)) if (entry.jid === jid) return entry;
    return null;
  }

  /** The entries scored `score` (or within [min, max]), only the one with `jid` when given. */
  async fetch(score: number | readonly [number, number], jid?: string): Promise<SortedEntry[]> {
    const [min, max] = typeof score === "number" ? [score, score] : score;
    const flat = await this.context.redis.zrangebyscore(this.name, min, max, "WITHSCORES");
    const entries: SortedEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const entry = new SortedEntry(this, flat[i] as string, flat[i + 1] as string);
      if (jid === undefined || entry.jid === jid) entries.push(entry);
    }
    return entries;
  }

  /** Deletes the whole set; each job is announced "deleted" when a Client's plugins listen (as Queue.clear). */
  async clear(): Promise<void> {
    if (!this.context.announcesReleases) {
      await this.context.redis.unlink(this.name);
      return;
    }
    const replies = await this.context.redis.multi().zrange(this.name, 0, -1).unlink(this.name).exec();
    for (const [error] of replies ?? []) if (error) throw error;
    await this.context.release(replies?.[0]?.[1] as string[], "deleted");
  }

  /**
   * "Retry all": every job onto its queue, lowest score first, `retry_count` one lower (manual
   * retries do not count against the limit). Members that cannot be pushed stay. Takes at most as
   * many as the set held at the start, so a job failing again meanwhile is not retried twice.
   * Returns how many were pushed.
   */
  async retryAll(): Promise<number> {
    let pushed = 0;
    await this.eachBatch(async (members) => {
      const moved = await this.enqueueMembers(members, true);
      pushed += moved.pushed;
      return moved.unpushable.size;
    });
    return pushed;
  }

  /** "Kill all": every job into the dead set as it is, with the morgue's trims. Returns how many. */
  async killAll(): Promise<number> {
    let killed = 0;
    await this.eachBatch(async (members) => {
      killed += await this.killMembers(members);
      return 0;
    });
    return killed;
  }

  /** ZREM of exact strings; returns how many were there. Those removed are announced "deleted". */
  async deleteMembers(members: readonly string[]): Promise<number> {
    if (!this.context.announcesReleases) {
      const removed = await this.context.redis.zrem(this.name, ...members);
      this.removed += removed;
      return removed;
    }
    // One ZREM per member, so only the jobs really removed here are announced.
    const pipeline = this.context.redis.pipeline();
    for (const member of members) pipeline.zrem(this.name, member);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const removed = members.filter((_, i) => replies[i]?.[1] === 1);
    this.removed += removed.length;
    await this.context.release(removed, "deleted");
    return removed.length;
  }

  /**
   * Pushes one member onto its queue (`retry`: with retry_count one lower). False when it was no
   * longer in the set; MalformedPayloadError when it cannot be pushed.
   */
  async enqueueMember(member: string, { retry }: { retry: boolean }): Promise<boolean> {
    const { pushed, unpushable } = await this.enqueueMembers([member], retry);
    const problem = unpushable.get(member);
    if (problem !== undefined) throw new MalformedPayloadError(`cannot push ${this.name} entry: ${problem}`);
    return pushed > 0;
  }

  /** Moves exact strings into the dead set; returns how many were still here to move. */
  async killMembers(members: readonly string[]): Promise<number> {
    const { killed } = await moveJobs(this.context.redis, {
      set: this.name,
      maxScore: ANY_SCORE,
      kills: members,
      nowMs: nowMs(),
    });
    this.removed += killed.length;
    await this.context.release(killed, "dead");
    return killed.length;
  }

  private async enqueueMembers(
    members: readonly string[],
    retry: boolean,
  ): Promise<{ pushed: number; unpushable: Map<string, string> }> {
    const now = nowMs();
    const enqueuedAt = encodeTimestamp(await this.context.sidekiqVersion(), now);
    const pushes: QueuePush[] = [];
    const unpushable = new Map<string, string>();
    for (const member of members) {
      const push = preparePush(member, enqueuedAt, retry ? decrementRetryCount : undefined);
      if (typeof push === "string") unpushable.set(member, push);
      else pushes.push(push);
    }
    const { pushed } = await moveJobs(this.context.redis, {
      set: this.name,
      maxScore: ANY_SCORE,
      pushes,
      nowMs: now,
    });
    this.removed += pushed;
    return { pushed, unpushable };
  }

  /**
   * Hands `step` the members, lowest score first, in batches, until as many as the set held at the
   * start were handed over; `step` returns how many it left in place, which later batches skip.
   */
  private async eachBatch(step: (members: string[]) => Promise<number>): Promise<void> {
    let budget = await this.size();
    let skip = 0;
    while (budget > 0) {
      const take = Math.min(MOVE_BATCH, budget);
      const members = await this.context.redis.zrange(this.name, skip, skip + take - 1);
      if (members.length === 0) return;
      budget -= members.length;
      skip += await step(members);
    }
  }
}

/** Ruby's `msg["retry_count"] -= 1 if msg["retry_count"]` (0 becomes -1, as in Ruby). */
function decrementRetryCount(payload: Payload): void {
  const count: unknown = payload.item.retry_count;
  if (typeof count === "number") payload.set("retry_count", count - 1);
  else if (typeof count === "bigint") payload.set("retry_count", count - 1n);
}
