// Runs one fetched job: decode, find its handler, run server middleware and the handler, count it,
// and on failure hand it to the retry logic. Bad input never escapes this file: malformed JSON and
// unusable job hashes go to the dead set with a clear error, unknown classes fail like Ruby's
// NameError (or go to a queue Ruby serves), and nothing is acknowledged before its outcome is in Redis.

import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { JobTimeoutError, MalformedPayloadError } from "../errors.js";
import type { Chain, Middleware } from "../middleware/chain.js";
import { QUEUES, queueKey } from "../redis/keys.js";
import { Payload } from "../wire/payload.js";
import { jobItemProblem } from "../wire/schema.js";
import type { JobItem } from "../wire/types.js";
import { sendToMorgue } from "./dead-set.js";
import type { Fetcher, UnitOfWork } from "./fetcher.js";
import { type JobContext, type JobDefinition, runInJobContext } from "./job.js";
import type { JobRegistry } from "./registry.js";
import type { JobRetry } from "./retry.js";
import type { Slot } from "./slot.js";
import type { ProcessStats } from "./stats.js";

/** What server middleware receives for each run. */
export interface ServerContext {
  job: JobContext;
  item: JobItem;
  queue: string;
  definition: JobDefinition;
  /** The job exactly as fetched, for a middleware that moves it elsewhere (unchanged) instead of running it. */
  payload: string;
  /**
   * Adds fields to every log line of this job: its logger (`job.logger`) and the worker's own
   * "done", "fail" and "skipped" lines. Later calls add to (or replace) earlier fields.
   */
  bindLog(fields: Record<string, unknown>): void;
}

export type ServerMiddleware = Middleware<ServerContext>;

/** Where jobs of unknown classes go: "retry" (fail like Ruby's NameError) or another queue. */
export type UnknownJobPolicy = "retry" | { queue: string };

export interface ProcessorOptions {
  redis: Redis;
  registry: JobRegistry;
  middleware: Chain<ServerContext>;
  retry: JobRetry;
  stats: ProcessStats;
  fetcher: Fetcher;
  logger: Logger;
  onUnknownJob: UnknownJobPolicy;
}

/** Ruby's error for a class it cannot find, so the Web UI shows what a Ruby worker would. */
class NameError extends Error {
  override name = "NameError";
}

export class Processor {
  constructor(private readonly options: ProcessorOptions) {}

  async process(work: UnitOfWork, slot: Slot): Promise<void> {
    const { logger } = this.options;
    let payload: Payload;
    try {
      payload = Payload.parse(work.payload);
    } catch (error) {
      await this.bury(work, work.payload, (error as Error).message);
      return;
    }
    const problem = jobItemProblem(payload.item);
    if (problem) {
      const marked = payload
        .clone()
        .set("error_class", MalformedPayloadError.name)
        .set("error_message", `unusable job hash: ${problem}`);
      await this.bury(work, marked.toString(), problem);
      return;
    }
    const item = payload.item;
    const definition = this.options.registry.resolve(item);
    if (!definition && this.options.onUnknownJob !== "retry") {
      await this.reroute(work, payload, this.options.onUnknownJob.queue);
      return;
    }
    const started = performance.now();
    const context = new RunContext(item, work.queue, slot, logger);
    try {
      if (!definition)
        throw new NameError(`uninitialized constant ${this.options.registry.performedClass(item)}`);
      const performed = await this.execute(definition, context, work.payload, slot);
      this.options.stats.record(false);
      if (logger.isLevelEnabled("info"))
        logger.info(context.logFields(runFields(item, work.queue, started)), performed ? "done" : "skipped");
    } catch (thrown) {
      this.options.stats.record(true);
      if (slot.interrupted) return; // shutdown already pushed it back to its queue: no retry entry
      logger.warn({ ...context.logFields(runFields(item, work.queue, started)), err: thrown }, "fail");
      await this.handleFailure(payload, work, thrown, definition);
    }
    if (slot.interrupted) return;
    const acked = this.options.fetcher.acknowledge(work);
    if (acked) await acked; // the basic fetch acknowledges synchronously: no microtask per job
  }

  /** Resolves false when a middleware skipped the handler. */
  private async execute(
    definition: JobDefinition,
    context: RunContext,
    payload: string,
    slot: Slot,
  ): Promise<boolean> {
    const perform = () => runInJobContext(context, () => definition.perform(context, context.item.args));
    const run =
      this.options.middleware.size === 0
        ? async () => {
            await perform();
            return true;
          }
        : () => this.withMiddleware(context, definition, payload, perform);
    const timeout = definition.options.timeout;
    return timeout ? withTimeout(run, timeout, slot) : run();
  }

  private withMiddleware(
    context: RunContext,
    definition: JobDefinition,
    payload: string,
    perform: () => unknown,
  ): Promise<boolean> {
    const ctx: ServerContext = {
      job: context,
      item: context.item,
      queue: context.queue,
      definition,
      payload,
      bindLog: (fields) => context.bindLog(fields),
    };
    return this.options.middleware.run(ctx, async () => {
      await perform();
    });
  }

  /** Retry, dead set or death handlers; if even that cannot be written, the dead set keeps the job. */
  private async handleFailure(
    payload: Payload,
    work: UnitOfWork,
    thrown: unknown,
    definition: JobDefinition | undefined,
  ): Promise<void> {
    try {
      await this.options.retry.handle(payload, work.queue, thrown, definition);
    } catch (error) {
      this.options.logger.error(
        { err: error, jid: payload.item.jid },
        "could not record the failure; sending the job to the dead set",
      );
      await sendToMorgue(this.options.redis, work.payload);
    }
  }

  /** Unreadable jobs go to the dead set (as Sidekiq does with unparseable JSON), never away. */
  private async bury(work: UnitOfWork, deadPayload: string, why: string): Promise<void> {
    this.options.logger.error(
      { queue: work.queue, payload: work.payload.slice(0, 500) },
      `malformed job sent to the dead set: ${why}`,
    );
    await sendToMorgue(this.options.redis, deadPayload);
    await this.options.fetcher.acknowledge(work);
  }

  private async reroute(work: UnitOfWork, payload: Payload, queue: string): Promise<void> {
    const moved = payload.clone().set("queue", queue).toString();
    const replies = await this.options.redis.multi().sadd(QUEUES, queue).lpush(queueKey(queue), moved).exec();
    for (const [error] of replies ?? []) if (error) throw error;
    this.options.logger.info(
      { jid: payload.item.jid, class: payload.item.class, queue },
      "unknown job class; moved to its queue",
    );
    await this.options.fetcher.acknowledge(work);
  }
}

/** The context handed to a handler; the logger and AbortSignal are made only if it asks for them. */
class RunContext implements JobContext {
  private childLogger: Logger | undefined;
  /** Fields middleware bound (bindLog), for the job's logger and the worker's lines about it. */
  private boundFields: Record<string, unknown> | undefined;

  constructor(
    readonly item: JobItem,
    readonly queue: string,
    private readonly slot: Slot,
    private readonly baseLogger: Logger,
  ) {}

  get jid(): string {
    return this.item.jid ?? "";
  }
  get className(): string {
    return this.item.class;
  }
  get retryCount(): number | undefined {
    return this.item.retry_count;
  }
  get signal(): AbortSignal {
    return this.slot.signal;
  }
  get logger(): Logger {
    this.childLogger ??= this.baseLogger.child({
      jid: this.jid,
      class: this.item.wrapped ?? this.className,
      queue: this.queue,
      ...this.boundFields,
    });
    return this.childLogger;
  }

  bindLog(fields: Record<string, unknown>): void {
    this.boundFields = { ...this.boundFields, ...fields };
    this.childLogger?.setBindings(fields);
  }

  /** `fields` with the bound ones added (the same object when none are bound). */
  logFields<T extends object>(fields: T): T {
    return this.boundFields ? { ...fields, ...this.boundFields } : fields;
  }
}

function runFields(item: JobItem, queue: string, started: number) {
  return {
    jid: item.jid,
    class: item.wrapped ?? item.class,
    queue,
    elapsed: Number(((performance.now() - started) / 1000).toFixed(3)),
  };
}

/** Fails the run with JobTimeoutError after `seconds` and fires its AbortSignal; the handler cannot be killed. */
async function withTimeout<T>(run: () => Promise<T>, seconds: number, slot: Slot): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(`job exceeded its timeout of ${seconds} s`);
      slot.abort(error);
      reject(error);
    }, seconds * 1000);
  });
  try {
    return await Promise.race([run(), expired]);
  } finally {
    clearTimeout(timer);
  }
}
