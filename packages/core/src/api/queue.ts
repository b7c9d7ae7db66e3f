// A queue as Sidekiq's API sees it (Sidekiq::Queue): the list `queue:<name>`, pushed at the head
// and worked from the tail, so the oldest job is last and iteration starts with the newest.

import { QUEUES, queueKey } from "../redis/keys.js";
import { scanSetMembers } from "../redis/scan.js";
import { JobRecord, payloadLatency } from "./job-record.js";
import { compareLikeRuby } from "./ruby.js";
import { ApiContext, type ApiSource } from "./source.js";

/** Jobs read per round trip when iterating (Sidekiq's page_size). */
export const QUEUE_PAGE_SIZE = 50;

export class Queue {
  readonly name: string;
  private readonly context: ApiContext;
  private readonly key: string;

  constructor(source: ApiSource, name = "default") {
    this.context = new ApiContext(source);
    this.name = name;
    this.key = queueKey(name);
  }

  /** Every queue named in `queues`, sorted by name as Ruby sorts. */
  static async all(source: ApiSource): Promise<Queue[]> {
    const context = new ApiContext(source);
    const names = await scanSetMembers(context.redis, QUEUES);
    return names.sort(compareLikeRuby).map((name) => new Queue(context, name));
  }

  size(): Promise<number> {
    return this.context.redis.llen(this.key);
  }

  /** Seconds since the oldest job (the tail) was enqueued; 0 when the queue is empty. */
  async latency(): Promise<number> {
    return payloadLatency(await this.context.redis.lindex(this.key, -1));
  }

  /**
   * Every job, newest first (head to tail), in pages of 50. As in Ruby, each page is placed by how
   * much the queue has shrunk since the start, so jobs taken from the tail meanwhile make later
   * pages start earlier rather than skip jobs.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<JobRecord> {
    const initialSize = await this.size();
    let deleted = 0;
    for (let page = 0; ; page++) {
      const start = page * QUEUE_PAGE_SIZE - deleted;
      const entries = await this.context.redis.lrange(this.key, start, start + QUEUE_PAGE_SIZE - 1);
      if (entries.length === 0) return;
      for (const entry of entries) yield new JobRecord(this.context, entry, this.name);
      deleted = initialSize - (await this.size());
    }
  }

  /** The job with this jid, or null. Reads the whole queue: not for application logic. */
  async findJob(jid: string): Promise<JobRecord | null> {
    for await (const job of this) if (job.jid === jid) return job;
    return null;
  }

  /**
   * Deletes every job and forgets the queue (removes it from `queues`), in one MULTI; when a
   * Client's plugins listen for releases, the same MULTI reads the jobs so each is announced "deleted".
   */
  async clear(): Promise<void> {
    const multi = this.context.redis.multi();
    const announce = this.context.announcesReleases;
    if (announce) multi.lrange(this.key, 0, -1);
    const replies = await multi.unlink(this.key).srem(QUEUES, this.name).exec();
    for (const [error] of replies ?? []) if (error) throw error;
    if (announce) await this.context.release(replies?.[0]?.[1] as string[], "deleted");
  }
}
