import { randomUUID } from "node:crypto";
import type { PluginHost } from "@kiq/core";
import { parseCron } from "./cron-expression.js";
import type { CronJob } from "./cron-job.js";
import type { CronStore } from "./cron-store.js";
import { previousTick } from "./cron-ticks.js";

/** A tick older than this at poll time is skipped, never caught up (sidekiq-cron 1.8.0's constant; 2.x's `reschedule_grace_period` default). */
export const RESCHEDULE_GRACE_SECONDS = 60;
const ACTIVE_JOB_WRAPPER = "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper";
const MS_PER_SECOND = 1000;
const DEFAULT_QUEUE_NAME_DELIMITER = "_";

/** Pushes one job and returns its jid, or null when a client middleware stopped it (`host.push`, `client.push`). */
export type CronPush = PluginHost["push"];

export interface CronPollerOptions {
  /** Where a job's failed enqueue is reported (the poll goes on with the other jobs). */
  logger?: Pick<PluginHost["logger"], "error">;
  /**
   * Seconds after its tick a job may still be enqueued (2.x's `reschedule_grace_period`, default 60):
   * after downtime longer than this the missed tick is skipped, not caught up. Only the latest tick
   * is ever enqueued, however long the downtime. Raise it so a daily job survives a slow deploy.
   */
  rescheduleGracePeriod?: number;
}

/** A duration option checked: 0 or more seconds, or a clear error naming it. */
export function seconds(option: string, value: number): number {
  if (!(value >= 0)) throw new Error(`cron ${option} must be 0 or more seconds, got ${value}`);
  return value;
}

/** ActiveJob queue names: `queue_name_prefix` + delimiter (default `_`) + queue when a prefix is stored. */
function activeJobQueue(job: CronJob): string {
  if (!job.activeJob || !job.queueNamePrefix) return job.queue;
  return `${job.queueNamePrefix}${job.queueNameDelimiter || DEFAULT_QUEUE_NAME_DELIMITER}${job.queue}`;
}

/**
 * One poll over every cron job, with sidekiq-cron's once-per-tick rule: the process whose ZADD adds
 * the tick's member to the job's `:enqueued` enqueues; every other Ruby or Node poller sees the
 * member and does not. No lock: the ZADD is the claim, and the push comes after it, as in Ruby — a
 * crash between the two loses that tick rather than ever enqueueing it twice.
 */
export class CronPoller {
  private readonly gracePeriod: number;

  constructor(
    private readonly store: CronStore,
    private readonly push: CronPush,
    private readonly options: CronPollerOptions = {},
  ) {
    this.gracePeriod = seconds(
      "rescheduleGracePeriod",
      options.rescheduleGracePeriod ?? RESCHEDULE_GRACE_SECONDS,
    );
  }

  /** Polls at `now` (every namespace the store reads); returns the names of the jobs this process enqueued. */
  async poll(now: Date = new Date()): Promise<string[]> {
    const enqueued: string[] = [];
    for (const job of await this.store.all("*")) {
      // One job's failure (a middleware throwing, Redis refusing a push) does not stop the others: Ruby's enqueue_job rescues too.
      try {
        if (await this.claim(job, now)) {
          await this.enqueue(job, now);
          enqueued.push(job.name);
        }
      } catch (error) {
        this.options.logger?.error({ err: error, cron: job.name }, "cron: could not enqueue a due job");
      }
    }
    return enqueued;
  }

  /** `should_enqueue?`: enabled, valid, tick within the grace period, not enqueued since, and our ZADD added the tick. */
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
    if (nowS - tickS > this.gracePeriod) return false;
    const last = job.lastEnqueueTime;
    if (last && Math.floor(last.getTime() / MS_PER_SECOND) >= tickS) return false;
    return this.store.claimTick(job, tick);
  }

  /** Enqueue a job now, whatever its schedule and status (sidekiq-cron's `enque!`, the Web UI's "Enqueue now"). */
  async enqueueNow(name: string, namespace?: string, now: Date = new Date()): Promise<boolean> {
    const job = await this.store.find(name, namespace);
    if (!job) return false;
    await this.enqueue(job, now);
    return true;
  }

  /** `enque!` for a class Node cannot load, as sidekiq-cron does, through the client middleware; then its bookkeeping. */
  private async enqueue(job: CronJob, now: Date): Promise<void> {
    const args = job.dateAsArgument ? [...job.args, now.getTime() / MS_PER_SECOND] : job.args;
    const queue = activeJobQueue(job);
    const jid = job.activeJob
      ? await this.push({
          class: ACTIVE_JOB_WRAPPER,
          wrapped: job.klass,
          queue,
          description: job.description,
          args: [{ job_class: job.klass, job_id: randomUUID(), queue_name: queue, arguments: args }],
        })
      : await this.push({ ...job.message, class: job.klass, queue: job.queue, args });
    await this.store.recordEnqueue(job, jid, now);
  }
}
