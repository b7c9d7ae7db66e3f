// Enqueuing a Rails job from Node: pushActiveJob(client, { jobClass, args }) writes what
// `SendInvoiceJob.set(...).perform_later(*args)` writes through Sidekiq, for the fleet's Sidekiq
// version and the Rails release that will run it. It goes through client.push, so client
// middleware runs and the Sidekiq-level fields are the client's.

import { randomUUID } from "node:crypto";
import type { Client } from "../client/client.js";
import type { JobOptions } from "../client/job-options.js";
import { InvalidJobError } from "../errors.js";
import { nowMs } from "../wire/time.js";
import { encodeArguments } from "./arguments.js";
import type { ActiveJobDefinition } from "./define.js";
import { RubyDuration } from "./duration.js";
import { wrapActiveJob } from "./envelope.js";
import { serializeJobData } from "./job-data.js";
import { defaultRailsVersion, isRailsVersion, type RailsVersion } from "./rails-version.js";
import { RubyTime } from "./time.js";

/** ActiveJob's defaults: `queue_as` unset, and I18n's default locale. */
export const DEFAULT_QUEUE_NAME = "default";
export const DEFAULT_LOCALE = "en";
// kiq-only definition options, never written to Redis.
const KIQ_ONLY_OPTIONS = new Set(["retryIn", "retriesExhausted", "timeout", "queue"]);

export interface ActiveJobPush {
  /** The ActiveJob class name, or its defineActiveJob definition (whose options give `queue_as` and `sidekiq_options`). */
  jobClass: string | ActiveJobDefinition;
  /** `perform` arguments; see encodeArguments for what each JavaScript value becomes. */
  args?: readonly unknown[];
  /** `set(queue:)`; default the definition's `queue`, else "default". */
  queue?: string;
  /** `set(priority:)`; default null. */
  priority?: number | null;
  /** `set(wait:)`: seconds (or a RubyDuration) from now. */
  wait?: number | RubyDuration;
  /** `set(wait_until:)`: a Date, a RubyTime or epoch seconds. */
  waitUntil?: Date | RubyTime | number;
  /** `I18n.locale` of the job; default "en". */
  locale?: string;
  /** `Time.zone` name for the job (e.g. "Europe/Berlin"); default null: the Ruby worker's own zone. */
  timezone?: string | null;
  /** ActiveJob's job_id; default a new UUID v4. */
  jobId?: string;
  /**
   * The Rails release that runs the job: decides enqueued_at's precision, scheduled_at, BigDecimal,
   * Range and TimeWithZone's zone. Default the oldest Rails the fleet's Sidekiq supports (6.1 for
   * Sidekiq 6 and 7, 7.0 for 8), whose form every later Rails reads.
   */
  rails?: RailsVersion;
  /** Sidekiq options for the wrapper job (retry, backtrace, tags, …), like `sidekiq_options` on the ActiveJob class. */
  sidekiqOptions?: Omit<JobOptions, "queue" | "at" | "in">;
}

export interface ActiveJobPushed {
  /** The Sidekiq jid (ActiveJob's provider_job_id), or null when a client middleware stopped the push. */
  jid: string | null;
  /** ActiveJob's job_id. */
  jobId: string;
}

/** Enqueues an ActiveJob as Rails' or Sidekiq's adapter would; bad input throws (InvalidJobError, ActiveJobSerializationError for arguments) and writes nothing. */
export async function pushActiveJob(client: Client, push: ActiveJobPush): Promise<ActiveJobPushed> {
  const { className, definitionOptions } = jobClassOf(push.jobClass);
  if (push.args !== undefined && !Array.isArray(push.args))
    throw new InvalidJobError("args must be an array of perform arguments");
  if (push.rails !== undefined && !isRailsVersion(push.rails)) {
    throw new InvalidJobError(`rails must be one of 6.1, 7.0, 7.1, 7.2, 8.0, 8.1, got ${String(push.rails)}`);
  }
  const sidekiqVersion = await client.sidekiqVersion();
  const rails = push.rails ?? defaultRailsVersion(sidekiqVersion);
  const now = nowMs();
  const scheduledAtMs = scheduledAt(push, now);
  const queueName = push.queue ?? (definitionOptions.queue as string | undefined) ?? DEFAULT_QUEUE_NAME;
  if (typeof queueName !== "string" || queueName.length === 0)
    throw new InvalidJobError("queue must be a non-empty string");
  const priority = push.priority ?? null;
  if (priority !== null && !Number.isInteger(priority))
    throw new InvalidJobError("priority must be an integer");
  const data = serializeJobData(
    {
      jobClass: className,
      jobId: push.jobId ?? randomUUID(),
      queueName,
      priority,
      arguments: encodeArguments(push.args ?? [], { rails }),
      locale: push.locale ?? DEFAULT_LOCALE,
      timezone: push.timezone ?? null,
      scheduledAtMs,
    },
    rails,
    now,
  );
  const sidekiqOptions = { ...definitionSidekiqOptions(definitionOptions), ...push.sidekiqOptions };
  const item = wrapActiveJob(data, { sidekiqVersion, rails, sidekiqOptions });
  // Both adapters pass the time as Float seconds in `at`: the job goes to the schedule set
  if (scheduledAtMs !== undefined) item.at = scheduledAtMs / 1000;
  const jid = await client.push(item);
  return { jid, jobId: data.job_id };
}

function jobClassOf(jobClass: ActiveJobPush["jobClass"]): {
  className: string;
  definitionOptions: Record<string, unknown>;
} {
  if (typeof jobClass === "string" && jobClass.length > 0)
    return { className: jobClass, definitionOptions: {} };
  if (typeof jobClass === "object" && jobClass !== null && typeof jobClass.className === "string") {
    return { className: jobClass.className, definitionOptions: jobClass.options };
  }
  throw new InvalidJobError("jobClass must be an ActiveJob class name or a defineActiveJob definition");
}

function definitionSidekiqOptions(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !KIQ_ONLY_OPTIONS.has(key)));
}

/** Epoch ms for `wait` / `waitUntil`, or undefined to run now. */
function scheduledAt(push: ActiveJobPush, now: number): number | undefined {
  const { wait, waitUntil } = push;
  if (wait !== undefined && waitUntil !== undefined)
    throw new InvalidJobError('give either "wait" or "waitUntil", not both');
  if (wait !== undefined) {
    const seconds = wait instanceof RubyDuration ? wait.seconds : wait;
    if (typeof seconds !== "number" || !Number.isFinite(seconds))
      throw new InvalidJobError("wait must be seconds or a RubyDuration");
    return now + seconds * 1000;
  }
  if (waitUntil === undefined) return undefined;
  const ms =
    waitUntil instanceof Date
      ? waitUntil.getTime()
      : waitUntil instanceof RubyTime
        ? waitUntil.date.getTime()
        : waitUntil * 1000;
  if (!Number.isFinite(ms))
    throw new InvalidJobError("waitUntil must be a Date, a RubyTime or epoch seconds");
  return ms;
}
