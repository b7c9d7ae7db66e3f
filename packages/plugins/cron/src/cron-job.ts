import { parseCron } from "./cron-expression.js";
import { formatEnqueueTime, parseEnqueueTime } from "./cron-time-format.js";

export type CronStatus = "enabled" | "disabled";

/** A cron job as you define it (sidekiq-cron's `Sidekiq::Cron::Job.new` arguments, in TypeScript). */
export interface CronJobDefinition {
  name: string;
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
  /** Extra Sidekiq options put in the stored message (e.g. retry), as a class's sidekiq_options are. */
  options?: Record<string, unknown>;
}

/** A cron job as read from Redis. */
export interface CronJob extends Required<Omit<CronJobDefinition, "options">> {
  /** The stored message: the payload pushed when the class is not loadable. */
  message: Record<string, unknown>;
  lastEnqueueTime: Date | undefined;
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
  parseCron(def.cron);
}

/**
 * The hash fields in sidekiq-cron 1.8.0's `to_hash` order and encoding. The message is built as
 * 1.8.0 builds it for a class it cannot load: `{"queue": …}` then class and args, options first.
 */
export function toHashFields(def: CronJobDefinition, status: CronStatus, lastEnqueueTime: Date | undefined) {
  const args = def.args ?? [];
  const message = {
    ...(def.options ?? {}),
    queue: def.queue ?? (def.options?.queue as string | undefined) ?? DEFAULT_QUEUE,
    class: def.klass,
    args,
  };
  return {
    name: def.name,
    klass: def.klass,
    cron: def.cron,
    description: def.description ?? "",
    args: JSON.stringify(args),
    date_as_argument: String(def.dateAsArgument ?? false),
    message: JSON.stringify(message),
    status,
    active_job: String(def.activeJob ?? false),
    queue_name_prefix: def.queueNamePrefix ?? "",
    queue_name_delimiter: def.queueNameDelimiter ?? "",
    last_enqueue_time: lastEnqueueTime ? formatEnqueueTime(lastEnqueueTime) : "",
    symbolize_args: String(def.symbolizeArgs ?? false),
  };
}

/** A stored hash (written by Ruby or Node, any 1.x/2.x boolean spelling) as a CronJob. */
export function fromHashFields(h: Record<string, string>): CronJob {
  const message = parseJson<Record<string, unknown>>(h.message, {});
  return {
    name: h.name ?? "",
    cron: h.cron ?? "",
    klass: h.klass ?? "",
    args: parseJson<unknown[]>(h.args, []),
    queue: typeof message.queue === "string" ? message.queue : DEFAULT_QUEUE,
    description: h.description ?? "",
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
