import type { PluginHost } from "@kiq/core";
import { parseCron } from "./cron-expression.js";
import {
  type CronJob,
  type CronJobDefinition,
  type CronStatus,
  fromHashFields,
  toHashFields,
  validateDefinition,
} from "./cron-job.js";
import { CRON_JOBS_KEY, cronJobKey, enqueuedKey, jidHistoryKey, nameFromJobKey } from "./cron-keys.js";
import { previousTick } from "./cron-ticks.js";
import { epochSeconds, tickMember } from "./cron-time-format.js";

/** Cron jobs in sidekiq-cron 1.x's keys: what `Sidekiq::Cron::Job` save/find/all/enable!/disable!/destroy do. */
/** The host's connection type, taken from the plugin contract (plugins import only @kiq/core). */
export type CronRedis = PluginHost["redis"];

export class CronStore {
  constructor(private readonly redis: CronRedis) {}

  /**
   * Create or update a job as `Sidekiq::Cron::Job#save` does: SADD, every hash field, and, if the
   * job has no `:enqueued` set yet, an entry for the tick that just passed so saving never fires it.
   * An omitted status keeps the stored one; the last enqueue time is always kept.
   */
  async save(def: CronJobDefinition, now: Date = new Date()): Promise<void> {
    validateDefinition(def);
    const key = cronJobKey(def.name);
    const [storedStatus, storedLast] = await this.redis.hmget(key, "status", "last_enqueue_time");
    const status: CronStatus = def.status ?? (storedStatus === "disabled" ? "disabled" : "enabled");
    const last = fromHashFields({ last_enqueue_time: storedLast ?? "" }).lastEnqueueTime;
    const tick = previousTick(parseCron(def.cron), now);
    await this.redis
      .multi()
      .sadd(CRON_JOBS_KEY, key)
      .hset(key, toHashFields(def, status, last))
      .exec();
    if (!(await this.redis.exists(enqueuedKey(def.name)))) {
      await this.redis.zadd(enqueuedKey(def.name), "NX", epochSeconds(now), tickMember(tick));
    }
  }

  async find(name: string): Promise<CronJob | undefined> {
    const h = await this.redis.hgetall(cronJobKey(name));
    return Object.keys(h).length === 0 ? undefined : fromHashFields(h);
  }

  /** Every job in `cron_jobs`, as `Sidekiq::Cron::Job.all` lists them (members without a hash skipped), by name. */
  async all(): Promise<CronJob[]> {
    const keys = await this.redis.smembers(CRON_JOBS_KEY);
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    const replies = (await pipeline.exec()) ?? [];
    const jobs: CronJob[] = [];
    for (const [err, h] of replies) {
      if (!err && h && Object.keys(h as object).length > 0)
        jobs.push(fromHashFields(h as Record<string, string>));
    }
    return jobs.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The stored names, even of members whose hash is gone. */
  async names(): Promise<string[]> {
    return (await this.redis.smembers(CRON_JOBS_KEY)).map(nameFromJobKey).sort();
  }

  enable(name: string): Promise<boolean> {
    return this.setStatus(name, "enabled");
  }

  disable(name: string): Promise<boolean> {
    return this.setStatus(name, "disabled");
  }

  /** Only the status field changes (Ruby re-saves every field; the result reads the same). */
  private async setStatus(name: string, status: CronStatus): Promise<boolean> {
    if (!(await this.redis.exists(cronJobKey(name)))) return false;
    await this.redis.hset(cronJobKey(name), "status", status);
    return true;
  }

  /** `Job#destroy`: SREM and delete the hash, `:enqueued` and `:jid_history`. */
  async destroy(name: string): Promise<boolean> {
    const key = cronJobKey(name);
    const replies = await this.redis
      .multi()
      .srem(CRON_JOBS_KEY, key)
      .del(enqueuedKey(name), jidHistoryKey(name), key)
      .exec();
    return (replies ?? []).some(([, n]) => Number(n) > 0);
  }

  /** jid history, newest first: `{jid, enqueued}` as sidekiq-cron stores it. */
  async jidHistory(name: string): Promise<{ jid: string; enqueued: string }[]> {
    const items = await this.redis.lrange(jidHistoryKey(name), 0, -1);
    return items.map((s) => JSON.parse(s) as { jid: string; enqueued: string });
  }
}
