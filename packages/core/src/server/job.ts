// A job kiq can run, registered under its Sidekiq class name ("Billing::Charge"): either a
// function made by defineJob() or a class extending Job, like Ruby's `include Sidekiq::Job`.

import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "pino";
import type { JobOptions } from "../client/job-options.js";
import { KiqError } from "../errors.js";
import type { JsonValue } from "../wire/json.js";
import type { JobItem } from "../wire/types.js";

/** What a running job can see about itself. */
export interface JobContext {
  readonly jid: string;
  readonly queue: string;
  /** The Sidekiq class name the job was pushed with. */
  readonly className: string;
  /** Absent before the first failure; 0 on the first retry, then 1, 2, … */
  readonly retryCount: number | undefined;
  /** The whole job hash, decoded without loss. */
  readonly item: Readonly<JobItem>;
  /** A logger bound to jid, class and queue. */
  readonly logger: Logger;
  /** Fires when the worker shuts down (after its timeout) or the job exceeds its own timeout. */
  readonly signal: AbortSignal;
}

/** What `retryIn` may answer: seconds until the next try, or discard the job, or kill it (dead set). */
export type RetryDecision = number | "discard" | "kill" | undefined;

/** Per-class options: Sidekiq's `sidekiq_options` plus its retry hooks, and a run-time limit. */
export interface JobDefinitionOptions extends Omit<JobOptions, "at" | "in"> {
  /** Like `sidekiq_retry_in`: the delay (s) before retry number `count`, or "discard" / "kill". */
  retryIn?: (count: number, error: Error, item: JobItem) => RetryDecision;
  /** Like `sidekiq_retries_exhausted`: runs before the job goes dead; returning (or resolving to) "discard" keeps it out of the dead set. */
  retriesExhausted?: (item: JobItem, error: Error) => unknown;
  /** Fail the run (and fire its AbortSignal) when it takes longer than this many seconds. */
  timeout?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: handlers declare their own argument types
export type JobHandler = (this: JobContext, ...args: any[]) => unknown;

/** A registered job: its Sidekiq class name, options and how to perform it. */
export interface JobDefinition {
  readonly className: string;
  readonly options: JobDefinitionOptions;
  perform(context: JobContext, args: JsonValue[]): unknown;
}

// One store per process even when both the ESM and CJS builds of @kiq/core are loaded (the CLI's
// bundle and a job module's import), so currentJob() sees the job the worker is running.
const STORE = Symbol.for("kiq.currentJob");
const holder = globalThis as { [STORE]?: AsyncLocalStorage<JobContext> };
holder[STORE] ??= new AsyncLocalStorage<JobContext>();
const current = holder[STORE];

/** The context of the job running in this async call chain (for arrow-function handlers). */
export function currentJob(): JobContext | undefined {
  return current.getStore();
}

/** Runs `fn` with `context` as the current job. */
export function runInJobContext<T>(context: JobContext, fn: () => T): T {
  return current.run(context, fn);
}

/**
 * Defines a job: `handler` gets the job's args spread (Ruby's `perform(*args)`) and the context as
 * `this` (or through currentJob()).
 */
export function defineJob(
  className: string,
  handler: JobHandler,
  options: JobDefinitionOptions = {},
): JobDefinition {
  checkClassName(className);
  if (typeof handler !== "function")
    throw new KiqError(`defineJob("${className}"): the handler must be a function`);
  return {
    className,
    options,
    perform: (context, args) => handler.apply(context, args),
  };
}

/**
 * The class form: `class Charge extends Job { static className = "Billing::Charge"; perform(id) {…} }`.
 * One instance per run; `this.jid`, `this.logger`, `this.signal`… like a Ruby Sidekiq job.
 */
export abstract class Job implements JobContext {
  /** The Sidekiq class name; explicit so that minifiers cannot change it. */
  static className: string;
  static options: JobDefinitionOptions = {};

  readonly #context: JobContext;

  constructor(context: JobContext) {
    this.#context = context;
  }

  get jid(): string {
    return this.#context.jid;
  }
  get queue(): string {
    return this.#context.queue;
  }
  get className(): string {
    return this.#context.className;
  }
  get retryCount(): number | undefined {
    return this.#context.retryCount;
  }
  get item(): Readonly<JobItem> {
    return this.#context.item;
  }
  get logger(): Logger {
    return this.#context.logger;
  }
  get signal(): AbortSignal {
    return this.#context.signal;
  }

  // biome-ignore lint/suspicious/noExplicitAny: subclasses declare their own argument types
  abstract perform(...args: any[]): unknown;
}

type JobClass = (abstract new (
  context: JobContext,
) => Job) & { className: string; options?: JobDefinitionOptions };

/** A definition from either form. */
export function toDefinition(job: JobDefinition | JobClass): JobDefinition {
  if (typeof job !== "function") return job;
  const className = job.className;
  if (typeof className !== "string") {
    throw new KiqError(
      `${job.name || "a Job class"} needs a static className (its Sidekiq class name, e.g. "Billing::Charge")`,
    );
  }
  checkClassName(className);
  const JobCtor = job as unknown as new (context: JobContext) => Job;
  return {
    className,
    options: job.options ?? {},
    perform: (context, args) => new JobCtor(context).perform(...args),
  };
}

// Ruby constant paths: segments start with a capital letter; a leading "::" is tolerated.
const CLASS_NAME = /^(::)?[A-Z][A-Za-z0-9_]*(::[A-Z][A-Za-z0-9_]*)*$/;

function checkClassName(className: string): void {
  if (typeof className !== "string" || !CLASS_NAME.test(className)) {
    throw new KiqError(
      `"${String(className)}" is not a Ruby class name; jobs are registered by their Sidekiq class name, e.g. "Billing::Charge"`,
    );
  }
}
