// The serialized job hash ActiveJob hands to Sidekiq as the one element of `args` (ActiveJob::Core#serialize):
// its fields in Rails' order, written for one Rails release, and read back from any.

import type { JsonValue } from "../wire/json.js";
import type { JobItem } from "../wire/types.js";
import type { SerializedArgument } from "./arguments.js";
import { ActiveJobDeserializationError } from "./errors.js";
import { type RailsVersion, railsAtLeast } from "./rails-version.js";
import { formatIso8601 } from "./time.js";

/** `args[0]` of an ActiveJob on Sidekiq. Apps may add keys by overriding `serialize`; they are kept. */
export interface ActiveJobData<Argument = JsonValue> {
  job_class: string;
  /** ActiveJob's own id (a UUID), unrelated to the Sidekiq jid. */
  job_id: string;
  /** null when stored; Ruby's wrapper sets it to the jid when the job runs. */
  provider_job_id: string | null;
  queue_name: string;
  priority: number | null;
  arguments: Argument[];
  /** Runs so far through ActiveJob's own `retry_on` (Sidekiq retries leave it as it is). */
  executions: number;
  exception_executions: Record<string, number>;
  locale: string;
  timezone: string | null;
  /** ISO 8601 UTC: whole seconds up to Rails 7.0, nine fraction digits from 7.1. */
  enqueued_at: string;
  /** Rails 7.1+: when the job was scheduled to run (ISO 8601, nine digits), else null. */
  scheduled_at?: string | null;
  [key: string]: unknown;
}

/** Rails 7.1 writes enqueued_at with nanoseconds and adds scheduled_at. */
const NANOSECOND_TIMES_SINCE: RailsVersion = "7.1";
const NANO_DIGITS = 9;

export interface JobDataFields {
  jobClass: string;
  jobId: string;
  queueName: string;
  priority: number | null;
  arguments: SerializedArgument[];
  locale: string;
  timezone: string | null;
  /** Epoch ms the job is scheduled for, or undefined to run now. */
  scheduledAtMs: number | undefined;
}

/** The job hash as `rails` serializes it at `nowMs`: fresh, so executions 0 and no provider_job_id. */
export function serializeJobData(
  fields: JobDataFields,
  rails: RailsVersion,
  nowMs: number,
): ActiveJobData<SerializedArgument> {
  const nanoseconds = railsAtLeast(rails, NANOSECOND_TIMES_SINCE);
  const data: ActiveJobData<SerializedArgument> = {
    job_class: fields.jobClass,
    job_id: fields.jobId,
    provider_job_id: null,
    queue_name: fields.queueName,
    priority: fields.priority,
    arguments: fields.arguments,
    executions: 0,
    exception_executions: {},
    locale: fields.locale,
    timezone: fields.timezone,
    enqueued_at: formatIso8601(nowMs, nanoseconds ? NANO_DIGITS : 0),
  };
  if (nanoseconds) {
    const at = fields.scheduledAtMs;
    data.scheduled_at = at === undefined ? null : formatIso8601(at, NANO_DIGITS);
  }
  return data;
}

/** `args[0]` of a wrapped ActiveJob; throws ActiveJob::ActiveJobDeserializationError when it is not a job hash. */
export function readJobData(item: Pick<JobItem, "args">): ActiveJobData {
  const data = item.args[0];
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ActiveJobDeserializationError("args[0] of an ActiveJob is not the serialized job hash");
  }
  if (typeof data.job_class !== "string")
    throw new ActiveJobDeserializationError("the job hash has no job_class");
  if (!Array.isArray(data.arguments))
    throw new ActiveJobDeserializationError("the job hash has no arguments Array");
  return data as ActiveJobData;
}
