// Sidekiq::Client for Node: pushes jobs that Ruby (or kiq) workers run.

import type { Redis } from "ioredis";
import { type Logger, pino } from "pino";
import { InvalidJobError } from "../errors.js";
import { Chain, type Middleware } from "../middleware/chain.js";
import { type ClientPluginHost, installPlugins, type Plugin } from "../plugin/plugin.js";
import { JobReleases } from "../plugin/release.js";
import { openRedis, type RedisOptions, watchConnection } from "../redis/connection.js";
import { detectSidekiqVersion } from "../redis/detect-version.js";
import { QUEUES, queueKey, SCHEDULE } from "../redis/keys.js";
import { generateJid } from "../wire/jid.js";
import { formatFloat, generateJson } from "../wire/json.js";
import { encodeTimestamp, nowMs } from "../wire/time.js";
import type { SidekiqVersion } from "../wire/types.js";
import { bulkPayloadWriter } from "./bulk-writer.js";
import { type JobOptions, type OutgoingJob, type PushItem, prepareJob, runAt } from "./job-options.js";
import { currentPushInterceptor, type PushInterceptor, type PushWrite as Write } from "./push-interceptor.js";

/** The fleet version assumed when no Ruby process is alive to ask. */
export const DEFAULT_SIDEKIQ_VERSION: SidekiqVersion = 7;
/** Jobs per MULTI in pushBulk, as Sidekiq 7+ batches push_bulk. */
export const BULK_BATCH_SIZE = 1000;

export interface ClientOptions extends RedisOptions {
  /**
   * The Sidekiq version whose format to write (timestamps: Float seconds for 6 and 7, Integer
   * milliseconds for 8). Default "detect": the oldest version among live Sidekiq processes, else 7.
   */
  sidekiqVersion?: SidekiqVersion | "detect";
  /** Where plugins log; default a pino logger. */
  logger?: Logger;
}

/** What client middleware receives for each job. */
export interface ClientContext {
  job: OutgoingJob;
  /** Epoch seconds the job is scheduled for, or undefined for "now". Middleware may change it. */
  at: number | undefined;
  redis: Redis;
  sidekiqVersion: SidekiqVersion;
}

export type ClientMiddleware = Middleware<ClientContext>;

/** Many jobs of one class: one args array per job, shared options; `at` may be one time per job. */
export interface BulkItem extends Omit<JobOptions, "at"> {
  class: string;
  args: unknown[][];
  at?: number | Date | (number | Date)[];
}

export class Client {
  readonly redis: Redis;
  /** Client middleware, run for every job before it is written (Sidekiq's client middleware). */
  readonly middleware = new Chain<ClientContext>();
  /** Listeners of plugins holding resources for jobs (locks), told when a job leaves without finishing. */
  readonly releases = new JobReleases();
  readonly logger: Logger;
  private readonly ownsRedis: boolean;
  private version: Promise<SidekiqVersion> | undefined;
  /** Plugin installs still running; pushes wait for them. */
  private installing: Promise<void> | undefined;

  constructor(options: ClientOptions = {}) {
    const { redis, owned } = openRedis(options);
    this.redis = redis;
    this.ownsRedis = owned;
    this.logger = options.logger ?? pino();
    if (owned) watchConnection(redis, this.logger);
    const configured = options.sidekiqVersion;
    if (configured !== undefined && configured !== "detect") {
      if (![6, 7, 8].includes(configured)) {
        throw new InvalidJobError(`sidekiqVersion must be 6, 7, 8 or "detect", got ${String(configured)}`);
      }
      this.version = Promise.resolve(configured);
    }
  }

  /** The Sidekiq version whose format this client writes (detected once, on first use). */
  sidekiqVersion(): Promise<SidekiqVersion> {
    this.version ??= detectSidekiqVersion(this.redis).then((v) => v ?? DEFAULT_SIDEKIQ_VERSION);
    return this.version;
  }

  /** Installs a plugin on this client (its client middleware, its keys); pushes wait until it is installed. */
  use<Options>(plugin: Plugin<Options>, options?: Options): this {
    const host: ClientPluginHost = {
      kind: "client",
      redis: this.redis,
      logger: this.logger,
      sidekiqVersion: () => this.sidekiqVersion(),
      clientMiddleware: this.middleware,
      push: (item) => this.push(item),
      onJobReleased: (handler) => this.releases.add(handler),
      releaseJob: (payload, reason) => this.releases.release(payload, reason),
    };
    const previous = this.installing ?? Promise.resolve();
    this.installing = previous.then(() =>
      installPlugins(host, [{ plugin: plugin as Plugin<unknown>, options }]),
    );
    return this;
  }

  /** Pushes one job; resolves to its jid, or null when a middleware stopped the push. */
  async push(item: PushItem): Promise<string | null> {
    if (this.installing) await this.installing;
    const intercept = currentPushInterceptor(); // set only by @kiq/core/testing's fake and inline modes
    const version = await this.formatVersion(intercept);
    const { job, at } = prepareJob(item, version, nowMs());
    const write = await this.runMiddleware(job, at, version);
    if (write === undefined) return null;
    await this.deliver([write], intercept);
    return job.jid;
  }

  /**
   * Pushes many jobs of one class in pipelined batches; resolves to one entry per args array: the
   * jid, or null where a middleware stopped that job. Nothing is written if any job is invalid.
   */
  async pushBulk(bulk: BulkItem): Promise<(string | null)[]> {
    if (
      bulk === null ||
      typeof bulk !== "object" ||
      !Array.isArray(bulk.args) ||
      !bulk.args.every(Array.isArray)
    ) {
      throw new InvalidJobError(
        'pushBulk expects { class, args: [[...], [...]] }: "args" holds one array per job',
      );
    }
    if (this.installing) await this.installing;
    const { args: allArgs, at } = bulk;
    if (Array.isArray(at) && at.length !== allArgs.length) {
      throw new InvalidJobError(`pushBulk "at" has ${at.length} times for ${allArgs.length} jobs`);
    }
    const intercept = currentPushInterceptor(); // set only by @kiq/core/testing's fake and inline modes
    const version = await this.formatVersion(intercept);
    // Sidekiq gives every job of a bulk push the same created_at and enqueued_at (one value here).
    const now = nowMs();
    const enqueuedAt = encodeTimestamp(version, now);
    if ("jid" in bulk) throw new InvalidJobError('pushBulk gives every job its own jid: remove "jid"');
    const jobAt = (i: number) => (Array.isArray(at) ? at[i] : at);
    const jids: (string | null)[] = [];
    const writes: Write[] = [];
    if (this.middleware.size === 0) {
      // Without middleware the jobs differ only in args, jid and run time: check the rest once.
      // `{ ...bulk, args }` keeps "args" where the caller put it, as Ruby's Hash#merge does.
      const perJobAt = Array.isArray(at);
      const shared = { ...bulk, args: [], at: perJobAt ? undefined : at } as PushItem;
      const { job: sample, at: sharedAt } = prepareJob(shared, version, now, enqueuedAt);
      const scheduled = perJobAt || sharedAt !== undefined; // an explicit `at` always goes through the schedule set
      const write = bulkPayloadWriter(stampEnqueuedAt(sample, scheduled, version, enqueuedAt));
      const queue = String(sample.queue);
      for (let i = 0; i < allArgs.length; i++) {
        const jid = generateJid();
        const when = perJobAt ? runAt(jobAt(i), undefined, now) : sharedAt;
        if (scheduled && when === undefined)
          throw new InvalidJobError(`pushBulk "at" has no time for job ${i}`);
        writes.push({ queue, payload: write(allArgs[i] as unknown[], jid, i), at: when });
        jids.push(jid);
      }
    } else {
      for (let i = 0; i < allArgs.length; i++) {
        const item = { ...bulk, args: allArgs[i] as unknown[], at: jobAt(i) } as PushItem;
        const { job, at: when } = prepareJob(item, version, now, enqueuedAt);
        const write = await this.runMiddleware(job, when, version, enqueuedAt);
        jids.push(write ? job.jid : null);
        if (write) writes.push(write);
      }
    }
    await this.deliver(writes, intercept);
    return jids;
  }

  /** Closes the Redis connection if this client opened it. */
  async close(): Promise<void> {
    if (this.ownsRedis) await this.redis.quit();
  }

  private async runMiddleware(
    job: OutgoingJob,
    at: number | undefined,
    version: SidekiqVersion,
    enqueuedAt?: ReturnType<typeof encodeTimestamp>,
  ): Promise<Write | undefined> {
    const ctx: ClientContext = { job, at, redis: this.redis, sidekiqVersion: version };
    if (this.middleware.size > 0 && !(await this.middleware.run(ctx, () => {}))) return undefined;
    return serialize(ctx, enqueuedAt);
  }

  /** Testing modes need no Redis, so they skip detection: the configured version, else the default. */
  private formatVersion(intercept: PushInterceptor | undefined): Promise<SidekiqVersion> | SidekiqVersion {
    return intercept ? (this.version ?? DEFAULT_SIDEKIQ_VERSION) : this.sidekiqVersion();
  }

  /** Redis, or the testing mode's interceptor when one is set. */
  private deliver(writes: Write[], intercept: PushInterceptor | undefined): Promise<void> {
    return intercept ? intercept(writes) : this.write(writes);
  }

  private async write(writes: Write[]): Promise<void> {
    const batches: Promise<unknown>[] = [];
    for (let start = 0; start < writes.length; start += BULK_BATCH_SIZE) {
      batches.push(execOrThrow(batchCommands(this.redis, writes.slice(start, start + BULK_BATCH_SIZE))));
    }
    await Promise.all(batches);
  }
}

/** The job's JSON as Ruby writes it: scheduled jobs lose `at` (and `enqueued_at`, as 7.1.2+ do). */
function serialize(
  { job, at, sidekiqVersion }: ClientContext,
  enqueuedAt: ReturnType<typeof encodeTimestamp> = encodeTimestamp(sidekiqVersion),
): Write {
  stampEnqueuedAt(job, at !== undefined, sidekiqVersion, enqueuedAt);
  return { queue: String(job.queue), payload: generateJson(job, "job"), at };
}

/** A queued job gets enqueued_at (last, as Ruby sets it at push); a scheduled one loses it (7.1.2+). */
function stampEnqueuedAt(
  job: OutgoingJob,
  scheduled: boolean,
  version: SidekiqVersion,
  enqueuedAt: ReturnType<typeof encodeTimestamp>,
): OutgoingJob {
  if (!scheduled) job.enqueued_at = enqueuedAt;
  else if (version >= 7) delete job.enqueued_at;
  return job;
}

/** One MULTI: every queue name into `queues`, one LPUSH per queue, one ZADD for the scheduled. */
function batchCommands(redis: Redis, writes: Write[]) {
  const multi = redis.multi();
  const byQueue = new Map<string, string[]>();
  const scheduled: string[] = [];
  for (const w of writes) {
    if (w.at !== undefined) scheduled.push(formatFloat(w.at), w.payload);
    else {
      const list = byQueue.get(w.queue);
      if (list) list.push(w.payload);
      else byQueue.set(w.queue, [w.payload]);
    }
  }
  if (byQueue.size > 0) multi.sadd(QUEUES, ...byQueue.keys());
  for (const [queue, payloads] of byQueue) multi.lpush(queueKey(queue), ...payloads);
  if (scheduled.length > 0) multi.zadd(SCHEDULE, ...scheduled);
  return multi;
}

async function execOrThrow(multi: ReturnType<Redis["multi"]>): Promise<void> {
  const replies = await multi.exec();
  if (replies === null) throw new Error("Redis aborted the push transaction");
  for (const [error] of replies) if (error) throw error;
}
