// What happens to a job whose run failed, with Sidekiq's exact semantics (job_retry.rb): error
// fields, retry_count, the backoff, the retry set, exhaustion, the dead set and death handlers.
// The job is rewritten from the payload string it was fetched as, so middleware edits are dropped
// (as in Ruby) and every field kiq does not own keeps its bytes.

import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { JobReleases } from "../plugin/release.js";
import { RETRY } from "../redis/keys.js";
import { encodeBacktrace } from "../wire/backtrace.js";
import { formatFloat } from "../wire/json.js";
import type { Payload } from "../wire/payload.js";
import { encodeTimestamp, nowMs, timestampSeconds } from "../wire/time.js";
import type { JobItem, SidekiqVersion } from "../wire/types.js";
import { defaultRetryDelay, retryJitter } from "./backoff.js";
import { sendToMorgue } from "./dead-set.js";
import { describeFailure, type Failure } from "./failure.js";
import type { JobDefinition, RetryDecision } from "./job.js";

/** Retries for `retry: true` (Sidekiq's max_retries). */
export const DEFAULT_MAX_RETRIES = 25;

/** Called when a job will not run again (dead, discarded, or `retry: false`), like Sidekiq's death handlers. */
export type DeathHandler = (item: JobItem, error: Error) => void | Promise<void>;

export interface JobRetryOptions {
  redis: Redis;
  sidekiqVersion: SidekiqVersion;
  logger: Logger;
  maxRetries?: number;
  deathHandlers: readonly DeathHandler[];
  /** Plugins' release listeners: each job that will not run again is announced "dead" before the death handlers run. */
  releases?: JobReleases;
}

export class JobRetry {
  private readonly maxRetries: number;

  constructor(private readonly options: JobRetryOptions) {
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  }

  /** Records a failed run of `original` (fetched from `queue`): retry set, dead set or death handlers. */
  async handle(
    original: Payload,
    queue: string,
    thrown: unknown,
    definition: JobDefinition | undefined,
  ): Promise<void> {
    const failure = describeFailure(thrown);
    // kiq never drops a job for lack of a class: no `retry` key and no class means the default, true
    const retry = (original.item.retry ?? definition?.options.retry ?? true) as boolean | number;
    if (retry === false) return this.runDeathHandlers(original, failure.error);

    const { sidekiqVersion: version } = this.options;
    const job = original.clone();
    const item = original.item;
    const now = nowMs();
    job.set("queue", item.retry_queue ?? queue);
    job.set("error_message", failure.errorMessage);
    job.set("error_class", failure.errorClass);
    let count: number;
    if (typeof item.retry_count === "number") {
      count = item.retry_count + 1;
      job.set("retried_at", encodeTimestamp(version, now));
    } else {
      count = 0;
      job.set("failed_at", encodeTimestamp(version, now));
    }
    job.set("retry_count", count);
    if (item.backtrace) {
      const frames =
        item.backtrace === true ? failure.frames : failure.frames.slice(0, Number(item.backtrace));
      job.set("error_backtrace", encodeBacktrace(frames, version));
    }

    if (this.isExhausted(job.item, retry, count, now)) return this.retriesExhausted(job, failure, definition);

    const decision = this.retryIn(definition, count, failure, job.item);
    if (decision === "discard") return this.discard(job, failure);
    if (decision === "kill") return this.retriesExhausted(job, failure, definition);
    const delay =
      typeof decision === "number" && decision > 0 ? Math.floor(decision) : defaultRetryDelay(count);
    const score = now / 1000 + delay + retryJitter(count, version);
    await this.options.redis.zadd(RETRY, formatFloat(score), job.toString());
  }

  /** Sidekiq 6: count only; 7.1.3–8.0: count or retry_for; 8.1+: retry_for alone when set. */
  private isExhausted(item: JobItem, retry: boolean | number, count: number, now: number): boolean {
    const max = typeof retry === "number" ? retry : this.maxRetries;
    const retryFor = item.retry_for;
    if (this.options.sidekiqVersion === 6 || typeof retryFor !== "number") return count >= max;
    const expired = timestampSeconds(item.failed_at ?? now) + retryFor < now / 1000;
    return this.options.sidekiqVersion >= 8 ? expired : expired || count >= max;
  }

  private retryIn(
    definition: JobDefinition | undefined,
    count: number,
    failure: Failure,
    item: JobItem,
  ): RetryDecision {
    const hook = definition?.options.retryIn;
    if (!hook) return undefined;
    try {
      return hook(count, failure.error, item);
    } catch (error) {
      this.options.logger.error(
        { err: error, jid: item.jid },
        "retryIn hook failed; using the default backoff",
      );
      return undefined;
    }
  }

  private async retriesExhausted(
    job: Payload,
    failure: Failure,
    definition: JobDefinition | undefined,
  ): Promise<void> {
    let answer: unknown;
    try {
      answer = await definition?.options.retriesExhausted?.(job.item, failure.error);
    } catch (error) {
      this.options.logger.error({ err: error, jid: job.item.jid }, "retriesExhausted hook failed");
    }
    if (job.item.dead === false || answer === "discard") return this.discard(job, failure);
    await sendToMorgue(this.options.redis, job.toString());
    await this.runDeathHandlers(job, failure.error);
  }

  /** Dropped on purpose: no dead set; death handlers still run (Sidekiq 8.0.7+). */
  private async discard(job: Payload, failure: Failure): Promise<void> {
    if (this.options.sidekiqVersion >= 8) job.set("discarded_at", encodeTimestamp(8));
    await this.runDeathHandlers(job, failure.error);
  }

  /** Announces the job "dead" to the plugins' release listeners, then runs the death handlers. */
  async runDeathHandlers(job: Payload, error: Error): Promise<void> {
    const item = job.item;
    try {
      await this.options.releases?.release(job.toString(), "dead");
    } catch (releaseError) {
      this.options.logger.error({ err: releaseError, jid: item.jid }, "job release listener failed");
    }
    for (const handler of this.options.deathHandlers) {
      try {
        await handler(item, error);
      } catch (handlerError) {
        this.options.logger.error({ err: handlerError, jid: item.jid }, "death handler failed");
      }
    }
  }
}
