import { randomUUID } from "node:crypto";
import type { Client } from "@kiq/core";
import { parseCron } from "./cron-expression.js";
import type { CronJob } from "./cron-job.js";
import { cronJobKey, enqueuedKey, jidHistoryKey } from "./cron-keys.js";
import type { CronRedis, CronStore } from "./cron-store.js";
import { previousTick } from "./cron-ticks.js";
import { epochSeconds, formatEnqueueTime, tickMember } from "./cron-time-format.js";

/** A tick older than this at poll time is skipped, never caught up (sidekiq-cron 1.8.0's constant; 2.x reschedule_grace_period). */
export const RESCHEDULE_GRACE_SECONDS = 60;
/** `:enqueued` members older than this (relative to poll time) are removed after each enqueue. */
export const REMEMBER_THRESHOLD_SECONDS = 86_400;
/** sidekiq-cron's default `cron_history_size`. */
export const JID_HISTORY_SIZE = 10;
const ACTIVE_JOB_WRAPPER = "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper";
const MS_PER_SECOND = 1000;
const DEFAULT_QUEUE_NAME_DELIMITER = "_";

/** ActiveJob queue names: `queue_name_prefix` + delimiter (default `_`) + queue when a prefix is stored. */
function activeJobQueue(job: CronJob): string {
  if (!job.activeJob || !job.queueNamePrefix) return job.queue;
  return `${job.queueNamePrefix}${job.queueNameDelimiter || DEFAULT_QUEUE_NAME_DELIMITER}${job.queue}`;
}

/**
 * One poll over every cron job, with sidekiq-cron 1.8.0's once-per-tick rule: the process whose
 * ZADD adds the tick's member to `cron_job:<name>:enqueued` enqueues; every other Ruby or Node
 * poller sees the member and does not. No lock: the ZADD is the claim.
 */
export class CronPoller {
  constructor(
    private readonly redis: CronRedis,
    private readonly store: CronStore,
    private readonly client: Client,
  ) {}

  /** Polls at `now`; returns the names of the jobs this process enqueued. */
  async poll(now: Date = new Date()): Promise<string[]> {
    const enqueued: string[] = [];
    for (const job of await this.store.all()) {
      if (await this.claim(job, now)) {
        await this.enqueue(job, now);
        enqueued.push(job.name);
      }
    }
    return enqueued;
  }

  /** `should_enque?`: enabled, valid, tick within the grace period, not enqueued since, and our ZADD added the tick. */
  private async claim(job: CronJob, now: Date): Promise<boolean> {
    if (job.status !== "enabled") return false;
    let tick: Date;
    try {
      tick = previousTick(parseCron(job.cron), now);
    } catch {
      return false; // a job Ruby stored with a cron we cannot read: sidekiq-cron skips invalid jobs too
    }
    const nowS = Math.floor(now.getTime() / MS_PER_SECOND);
    const tickS = Math.floor(tick.getTime() / MS_PER_SECOND);
    if (nowS - tickS > RESCHEDULE_GRACE_SECONDS) return false;
    const last = job.lastEnqueueTime;
    if (last && Math.floor(last.getTime() / MS_PER_SECOND) >= tickS) return false;
    return (await this.redis.zadd(enqueuedKey(job.name), epochSeconds(tick), tickMember(tick))) === 1;
  }

  /** Enqueue a job now, whatever its schedule and status (sidekiq-cron's `enque!`, the Web UI's "Enqueue now"). */
  async enqueueNow(name: string, now: Date = new Date()): Promise<boolean> {
    const job = await this.store.find(name);
    if (!job) return false;
    await this.enqueue(job, now);
    return true;
  }

  /** `enque!` for a class Node cannot load, as 1.8.0 does; then last_enqueue_time, jid history, and the trim. */
  private async enqueue(job: CronJob, now: Date): Promise<void> {
    const args = job.dateAsArgument ? [...job.args, now.getTime() / MS_PER_SECOND] : job.args;
    const queue = activeJobQueue(job);
    const jid = job.activeJob
      ? await this.client.push({
          class: ACTIVE_JOB_WRAPPER,
          wrapped: job.klass,
          queue,
          description: job.description,
          args: [{ job_class: job.klass, job_id: randomUUID(), queue_name: queue, arguments: args }],
        })
      : await this.client.push({ ...job.message, class: job.klass, queue: job.queue, args });
    const at = formatEnqueueTime(now);
    await this.redis
      .multi()
      .hset(cronJobKey(job.name), "last_enqueue_time", at)
      .lpush(jidHistoryKey(job.name), JSON.stringify({ jid, enqueued: at }))
      .ltrim(jidHistoryKey(job.name), 0, JID_HISTORY_SIZE - 1)
      .zremrangebyscore(enqueuedKey(job.name), 0, `(${epochSeconds(now) - REMEMBER_THRESHOLD_SECONDS}`)
      .exec();
  }
}
