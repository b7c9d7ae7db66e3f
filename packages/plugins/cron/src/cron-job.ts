import { parseCron } from "./cron-expression.js";
import type { CronLayout } from "./cron-keys.js";
import { formatEnqueueTime, parseEnqueueTime } from "./cron-time-format.js";

export type CronStatus = "enabled" | "disabled";
/** 2.x (and 1.11+): `schedule` for jobs from the schedule file, `dynamic` for the rest. */
export type CronSource = "schedule" | "dynamic";

/** A cron job as you define it (sidekiq-cron's `Sidekiq::Cron::Job.new` arguments, in TypeScript). */
export interface CronJobDefinition {
  name: string;
  /** Layout 2.x only: the job's namespace (default: the store's, itself `default` by default). */
  namespace?: string;
  cron: string;
  /** The job class name, as Sidekiq names it (`klass` in Redis; `class` in a schedule file). */
  klass: string;
  args?: unknown[];
  queue?: string;
  description?: string;
  /** When omitted, a job that already exists keeps its status; a new one is enabled. */
  status?: CronStatus;
  activeJob?: boolean;
  /** Append the enqueue time (float epoch seconds) as the last argument. */
  dateAsArgument?: boolean;
  queueNamePrefix?: string;
  queueNameDelimiter?: string;
  symbolizeArgs?: boolean;
  /** 2.x's `retry` (a number, or false to discard on first failure): appended to the stored message. */
  retry?: boolean | number;
  /** Extra Sidekiq options put in the stored message (e.g. retry), as a class's sidekiq_options are. */
  options?: Record<string, unknown>;
}

/** A cron job as read from Redis. */
export interface CronJob extends Required<Omit<CronJobDefinition, "options" | "retry">> {
  /** The stored message: the payload pushed when the class is not loadable. */
  message: Record<string, unknown>;
  lastEnqueueTime: Date | undefined;
  /** "" in layout 1.x. */
  namespace: string;
  source: CronSource;
}

export const DEFAULT_QUEUE = "default";
/** sidekiq-cron reads a boolean field as true when its text matches this (1.8.0 writes true/false, 1.9+ 1/0). */
const TRUE_TEXT = /^(true|t|yes|y|1)$/i;

const bool = (text: string | undefined) => TRUE_TEXT.test(text ?? "");

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Checks the definition the way sidekiq-cron's `valid?` does (name, cron, klass), throwing at once. */
export function validateDefinition(def: CronJobDefinition): void {
  if (!def.name) throw new Error("cron job needs a name");
  if (!def.klass) throw new Error(`cron job ${def.name}: needs a class (klass)`);
  if (!def.cron) throw new Error(`cron job ${def.name}: needs a cron`);
  if (def.namespace === "*")
    throw new Error(`cron job ${def.name}: "*" is not a namespace (it means all of them)`);
  parseCron(def.cron);
}

/** A job as its hash stores it, before encoding: args and message as JSON text. */
export interface JobRecord {
  name: string;
  namespace: string;
  klass: string;
  cron: string;
  description: string;
  source: CronSource;
  argsText: string;
  dateAsArgument: boolean;
  messageText: string;
  status: CronStatus;
  activeJob: boolean;
  queueNamePrefix: string;
  queueNameDelimiter: string;
  lastEnqueueTime: Date | undefined;
  symbolizeArgs: boolean;
}

/**
 * A definition as sidekiq-cron stores it. The message is built as 1.8.0 and 2.x build it for a
 * class they cannot load: `{"queue": …}` then class and args, with `options` first as a loadable
 * class's sidekiq_options would be.
 */
export function recordOf(
  def: CronJobDefinition,
  state: { namespace: string; status: CronStatus; lastEnqueueTime: Date | undefined; source: CronSource },
): JobRecord {
  const args = def.args ?? [];
  const message = {
    ...(def.options ?? {}),
    queue: def.queue ?? (def.options?.queue as string | undefined) ?? DEFAULT_QUEUE,
    class: def.klass,
    args,
    ...(def.retry === undefined ? {} : { retry: def.retry }),
  };
  return {
    name: def.name,
    namespace: state.namespace,
    klass: def.klass,
    cron: def.cron,
    description: def.description ?? "",
    source: state.source,
    argsText: JSON.stringify(args),
    dateAsArgument: def.dateAsArgument ?? false,
    messageText: JSON.stringify(message),
    status: state.status,
    activeJob: def.activeJob ?? false,
    queueNamePrefix: def.queueNamePrefix ?? "",
    queueNameDelimiter: def.queueNameDelimiter ?? "",
    lastEnqueueTime: state.lastEnqueueTime,
    symbolizeArgs: def.symbolizeArgs ?? false,
  };
}

/**
 * A stored hash (either layout, any boolean spelling) as a record, keeping the args and message
 * text byte for byte: what 2.x's migration re-saves.
 */
export function recordFromHash(h: Record<string, string>, namespace: string): JobRecord {
  const job = fromHashFields(h);
  return {
    name: job.name,
    namespace,
    klass: job.klass,
    cron: job.cron,
    description: job.description,
    source: job.source,
    argsText: h.args || "[]",
    dateAsArgument: job.dateAsArgument,
    messageText: h.message || "{}",
    status: job.status,
    activeJob: job.activeJob,
    queueNamePrefix: job.queueNamePrefix,
    queueNameDelimiter: job.queueNameDelimiter,
    lastEnqueueTime: job.lastEnqueueTime,
    symbolizeArgs: job.symbolizeArgs,
  };
}

/** 2.x's `retry` field: the message's retry, "" when none, numbers and booleans as text. */
function retryText(messageText: string): string {
  const retry = parseJson<Record<string, unknown>>(messageText, {}).retry;
  return retry === undefined || retry === null ? "" : String(retry);
}

/**
 * The hash fields, in `to_hash` order: 1.8.0's (booleans `true`/`false`), or 2.x's (booleans
 * `1`/`0`, plus `namespace`, `source` and `retry`).
 */
export function toHashFields(rec: JobRecord, layout: CronLayout): Record<string, string> {
  const v2 = layout === "2.x";
  const bool = (b: boolean) => (v2 ? (b ? "1" : "0") : String(b));
  return {
    name: rec.name,
    ...(v2 ? { namespace: rec.namespace } : {}),
    klass: rec.klass,
    cron: rec.cron,
    description: rec.description,
    ...(v2 ? { source: rec.source } : {}),
    args: rec.argsText,
    date_as_argument: bool(rec.dateAsArgument),
    message: rec.messageText,
    status: rec.status,
    active_job: bool(rec.activeJob),
    queue_name_prefix: rec.queueNamePrefix,
    queue_name_delimiter: rec.queueNameDelimiter,
    ...(v2 ? { retry: retryText(rec.messageText) } : {}),
    last_enqueue_time: rec.lastEnqueueTime ? formatEnqueueTime(rec.lastEnqueueTime) : "",
    symbolize_args: bool(rec.symbolizeArgs),
  };
}

/** A stored hash (written by Ruby or Node, any 1.x/2.x boolean spelling) as a CronJob. */
export function fromHashFields(h: Record<string, string>): CronJob {
  const message = parseJson<Record<string, unknown>>(h.message, {});
  return {
    name: h.name ?? "",
    namespace: h.namespace ?? "",
    cron: h.cron ?? "",
    klass: h.klass ?? "",
    args: parseJson<unknown[]>(h.args, []),
    queue: typeof message.queue === "string" ? message.queue : DEFAULT_QUEUE,
    description: h.description ?? "",
    source: h.source === "schedule" ? "schedule" : "dynamic",
    status: h.status === "disabled" ? "disabled" : "enabled",
    activeJob: bool(h.active_job),
    dateAsArgument: bool(h.date_as_argument),
    queueNamePrefix: h.queue_name_prefix ?? "",
    queueNameDelimiter: h.queue_name_delimiter ?? "",
    symbolizeArgs: bool(h.symbolize_args),
    message,
    lastEnqueueTime: parseEnqueueTime(h.last_enqueue_time),
  };
}
