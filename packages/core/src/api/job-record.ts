// One job as the API finds it in Redis (Sidekiq's JobRecord): the stored string, exactly as it is,
// and what can be read from it. The string is what every write (delete, retry, kill) goes by, so
// an edit never re-encodes a job someone else wrote.

import { JOB_WRAPPER, SIDEKIQ_WRAPPER } from "../activejob/envelope.js";
import { queueKey } from "../redis/keys.js";
import { decodeBacktrace } from "../wire/backtrace.js";
import type { JsonValue } from "../wire/json.js";
import { Payload } from "../wire/payload.js";
import { decodeTimestamp, nowMs } from "../wire/time.js";
import type { JobItem } from "../wire/types.js";
import { isJsonObject } from "./ruby.js";
import type { ApiContext } from "./source.js";

/** ActiveJob's Sidekiq wrappers, compared exactly as Ruby's display_class does (no leading `::`). */
const ACTIVE_JOB_WRAPPERS: readonly string[] = [JOB_WRAPPER, SIDEKIQ_WRAPPER];
/** ActionMailer's delivery jobs, shown as `Mailer#method` (Rails 5 and Rails 6+ names). */
const MAILER_JOBS: readonly string[] = ["ActionMailer::DeliveryJob", "ActionMailer::MailDeliveryJob"];

/**
 * Seconds a job has waited since it was enqueued (else created), in either unit; 0 without one.
 * Sidekiq 8 falls back to created_at as kiq does; 6.x and 7.x answer 0 for a job without enqueued_at.
 */
export function jobLatency(item: Partial<JobItem>, now: number = nowMs()): number {
  const enqueued = timestampMs(item.enqueued_at ?? item.created_at);
  return enqueued === undefined ? 0 : (now - enqueued) / 1000;
}

/** Latency of a stored payload string; 0 for none, or for one that cannot be read. */
export function payloadLatency(stored: string | null): number {
  return stored === null ? 0 : jobLatency(new JobRecordItem(stored).item);
}

function timestampMs(value: unknown): number | undefined {
  return typeof value === "number" || typeof value === "bigint" ? decodeTimestamp(value) : undefined;
}

function timestampDate(value: unknown): Date | undefined {
  const ms = timestampMs(value);
  return ms === undefined ? undefined : new Date(ms);
}

/** The decoded job of a stored string, or `{}` when it is not a JSON object (Ruby does the same). */
class JobRecordItem {
  readonly item: Partial<JobItem>;
  readonly readable: boolean;

  constructor(value: string) {
    try {
      this.item = Payload.parse(value).item;
      this.readable = true;
    } catch {
      this.item = {};
      this.readable = false;
    }
  }
}

export class JobRecord {
  /** The payload string exactly as stored. */
  readonly value: string;
  protected readonly context: ApiContext;
  private readonly queueName: string | undefined;
  private decoded: JobRecordItem | undefined;

  /** `queueName`: the queue list it was read from; otherwise the job's own `queue`. */
  constructor(context: ApiContext, value: string, queueName?: string) {
    this.context = context;
    this.value = value;
    this.queueName = queueName;
  }

  /** The job hash, decoded without loss (BigInt beyond 2^53); `{}` when the string is not a JSON object. */
  get item(): Partial<JobItem> {
    return this.decode().item;
  }

  /** False when the stored string is not a JSON object. */
  get readable(): boolean {
    return this.decode().readable;
  }

  get jid(): string | undefined {
    return stringOrUndefined(this.item.jid);
  }

  /** The class to run (Ruby's `klass`): for ActiveJob jobs, the wrapper. */
  get className(): string | undefined {
    return stringOrUndefined(this.item.class);
  }

  /** The args; an unreadable payload shows as its only arg, as the Web UI shows it. */
  get args(): JsonValue[] {
    if (!this.readable) return [this.value];
    return Array.isArray(this.item.args) ? this.item.args : [];
  }

  /** The queue it is in, or (for sorted-set entries and running jobs) the queue it names. */
  get queue(): string | undefined {
    return this.queueName ?? stringOrUndefined(this.item.queue);
  }

  /** The class the Web UI shows: `display_class`, else the ActiveJob class (or `Mailer#method`). */
  get displayClass(): string | undefined {
    const shown = stringOrUndefined(this.item.display_class);
    if (shown !== undefined) return shown;
    const className = this.className;
    if (className === undefined || !ACTIVE_JOB_WRAPPERS.includes(className)) return className;
    const first = this.args[0];
    const jobClass = this.item.wrapped ?? first;
    if (typeof jobClass === "string" && MAILER_JOBS.includes(jobClass) && isJsonObject(first)) {
      const mailer = first.arguments;
      if (Array.isArray(mailer)) return mailer.slice(0, 2).join("#");
    }
    return typeof jobClass === "string" ? jobClass : className;
  }

  get enqueuedAt(): Date | undefined {
    return timestampDate(this.item.enqueued_at);
  }

  /** When it was first pushed (Ruby: created_at, else enqueued_at, else the epoch). */
  get createdAt(): Date {
    return timestampDate(this.item.created_at ?? this.item.enqueued_at) ?? new Date(0);
  }

  get failedAt(): Date | undefined {
    return timestampDate(this.item.failed_at);
  }

  get retriedAt(): Date | undefined {
    return timestampDate(this.item.retried_at);
  }

  get tags(): string[] {
    return Array.isArray(this.item.tags) ? this.item.tags.map(String) : [];
  }

  /** The frames of `error_backtrace`, inflated from either Base64 form. */
  get errorBacktrace(): string[] | undefined {
    const stored = this.item.error_backtrace;
    return stored === undefined ? undefined : decodeBacktrace(stored);
  }

  /** Seconds since it was enqueued. */
  latency(): number {
    return jobLatency(this.item);
  }

  private decode(): JobRecordItem {
    this.decoded ??= new JobRecordItem(this.value);
    return this.decoded;
  }

  /** Removes this exact string from its queue (LREM 1); false when it was no longer there. */
  async delete(): Promise<boolean> {
    const queue = this.queue;
    if (queue === undefined) return false;
    if ((await this.context.redis.lrem(queueKey(queue), 1, this.value)) === 0) return false;
    await this.context.release([this.value], "deleted");
    return true;
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
