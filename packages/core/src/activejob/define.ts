// Rails jobs run by Node: defineActiveJob("SendInvoiceJob", handler) registers a handler under the
// ActiveJob class name. The worker hands it jobs whose Sidekiq class is either wrapper and whose
// job hash names that class; the handler gets the decoded arguments, as Ruby's `perform(*arguments)`.

import type { Logger } from "pino";
import {
  defineJob,
  type JobContext,
  type JobDefinition,
  type JobDefinitionOptions,
  type JobHandler,
  runInJobContext,
} from "../server/job.js";
import type { JobItem } from "../wire/types.js";
import { decodeArguments } from "./arguments.js";
import { type ActiveJobData, readJobData } from "./job-data.js";
import { RubyTime } from "./time.js";

/** What a running ActiveJob can see about itself: the Sidekiq context plus ActiveJob's own fields. */
export interface ActiveJobContext extends JobContext {
  /** The ActiveJob class (`job_class`); `className` stays the Sidekiq wrapper's name. */
  readonly jobClass: string;
  /** ActiveJob's `job_id` (a UUID), stable across Sidekiq retries. */
  readonly jobId: string;
  /** The Sidekiq jid, as Ruby's wrapper sets `provider_job_id` when the job runs. */
  readonly providerJobId: string;
  readonly queueName: string;
  readonly priority: number | null;
  /** As ActiveJob's `executions` inside `perform`: the stored count plus this run. */
  readonly executions: number;
  readonly exceptionExecutions: Readonly<Record<string, number>>;
  readonly locale: string;
  readonly timezone: string | null;
  readonly enqueuedAt: Date | undefined;
  /** Rails 7.1+ job hashes only. */
  readonly scheduledAt: Date | undefined;
  /** The job hash (`args[0]`) as stored, arguments still serialized. */
  readonly jobData: Readonly<ActiveJobData>;
}

// biome-ignore lint/suspicious/noExplicitAny: handlers declare their own argument types
export type ActiveJobHandler = (this: ActiveJobContext, ...args: any[]) => unknown;

/** A job definition the registry files under ActiveJob class names rather than Sidekiq class names. */
export interface ActiveJobDefinition extends JobDefinition {
  /** Structural, so a job module that loads its own copy of @kiq/core is still recognised. */
  readonly activeJob: true;
}

/**
 * Defines a Rails job run by Node. `options` are the ActiveJob class's `sidekiq_options` plus kiq's
 * hooks (`retryIn`, `retriesExhausted`, `timeout`), as for defineJob; `queue` is its `queue_as`.
 */
export function defineActiveJob(
  jobClass: string,
  handler: ActiveJobHandler,
  options: JobDefinitionOptions = {},
): ActiveJobDefinition {
  // defineJob checks the name and the handler; its perform is replaced, so `this` is ours
  const definition = defineJob(jobClass, handler as JobHandler, options);
  return {
    ...definition,
    activeJob: true,
    perform(context, args) {
      const data = readJobData({ args });
      const decoded = decodeArguments(data.arguments);
      const run = new ActiveJobRun(context, data);
      return runInJobContext(run, () => handler.apply(run, decoded));
    },
  };
}

/** Whether a registered job is an ActiveJob definition. */
export function isActiveJobDefinition(definition: JobDefinition): definition is ActiveJobDefinition {
  return (definition as Partial<ActiveJobDefinition>).activeJob === true;
}

class ActiveJobRun implements ActiveJobContext {
  constructor(
    private readonly context: JobContext,
    readonly jobData: Readonly<ActiveJobData>,
  ) {}

  get jid(): string {
    return this.context.jid;
  }
  get queue(): string {
    return this.context.queue;
  }
  get className(): string {
    return this.context.className;
  }
  get retryCount(): number | undefined {
    return this.context.retryCount;
  }
  get item(): Readonly<JobItem> {
    return this.context.item;
  }
  get logger(): Logger {
    return this.context.logger;
  }
  get signal(): AbortSignal {
    return this.context.signal;
  }
  get jobClass(): string {
    return this.jobData.job_class;
  }
  get jobId(): string {
    return this.jobData.job_id;
  }
  get providerJobId(): string {
    return this.context.jid;
  }
  get queueName(): string {
    return this.jobData.queue_name;
  }
  get priority(): number | null {
    return this.jobData.priority ?? null;
  }
  get executions(): number {
    return (Number(this.jobData.executions) || 0) + 1;
  }
  get exceptionExecutions(): Readonly<Record<string, number>> {
    return this.jobData.exception_executions ?? {};
  }
  get locale(): string {
    return this.jobData.locale;
  }
  get timezone(): string | null {
    return this.jobData.timezone ?? null;
  }
  get enqueuedAt(): Date | undefined {
    return instant(this.jobData.enqueued_at);
  }
  get scheduledAt(): Date | undefined {
    return instant(this.jobData.scheduled_at);
  }
}

/** A job hash time, or undefined when absent or unreadable (metadata never fails a job). */
function instant(iso: unknown): Date | undefined {
  if (typeof iso !== "string") return undefined;
  try {
    return new RubyTime(iso).date;
  } catch {
    return undefined;
  }
}
