import type { PluginHost } from "@kiq/core";
import { parseCron } from "./cron-expression.js";
import {
  type CronJob,
  type CronJobDefinition,
  type CronSource,
  type CronStatus,
  fromHashFields,
  type JobRecord,
  recordOf,
  toHashFields,
  validateDefinition,
} from "./cron-job.js";
import {
  type CronLayout,
  DEFAULT_NAMESPACE,
  enqueuedKey,
  type JobKeys,
  jobKeys,
  jobsSetKey,
  NAMESPACE_SETS_PATTERN,
  namespaceOfSetKey,
} from "./cron-keys.js";
import { previousTick } from "./cron-ticks.js";
import { epochSeconds, formatEnqueueTime, formatRubyUtcTime, tickMember } from "./cron-time-format.js";

/** The host's connection type, taken from the plugin contract (plugins import only @kiq/core). */
export type CronRedis = PluginHost["redis"];

export interface CronStoreOptions {
  /** Whose keys: sidekiq-cron 1.x's (`cron_jobs`, the default) or 2.x's namespaced ones. */
  layout?: CronLayout;
  /** 2.x: the default namespace (2.x's `default_namespace`), for jobs that name none. Default `default`. */
  namespace?: string;
  /**
   * 2.x's `available_namespaces`: the namespaces `all("*")` and the poller read, always with the
   * default one. A list (default: just the default namespace, as 2.3), or "auto" to find every
   * `cron_jobs:*` set (as 2.0–2.2 did, and 2.3 with `:auto`).
   */
  availableNamespaces?: string[] | "auto";
}

/** The options with their defaults, or a clear error (called by `cron()` too, so a bad one fails at load). */
export function checkStoreOptions(options: CronStoreOptions): Required<CronStoreOptions> {
  const layout = options.layout ?? "1.x";
  if (layout !== "1.x" && layout !== "2.x") {
    throw new Error(`cron layout must be "1.x" or "2.x", got ${JSON.stringify(layout)}`);
  }
  const available = options.availableNamespaces ?? [];
  if (layout === "1.x" && (options.namespace || available.length > 0)) {
    throw new Error('cron namespaces need layout "2.x" (sidekiq-cron 1.x has none)');
  }
  const namespace = layout === "1.x" ? "" : options.namespace || DEFAULT_NAMESPACE;
  if ([namespace, ...(available === "auto" ? [] : available)].includes("*")) {
    throw new Error('"*" is not a namespace (it means all of them)');
  }
  return { layout, namespace, availableNamespaces: available };
}

/**
 * A definition's namespace under checked store options ("" in 1.x): its own or the default one.
 * 2.3 would refile a job whose namespace is not available under the default one with a warning;
 * kiq refuses it, since a typo should not move a job. `cron()` calls it too, to fail at load.
 */
export function namespaceOf(def: CronJobDefinition, options: Required<CronStoreOptions>): string {
  if (options.layout === "1.x") {
    if (def.namespace) throw new Error(`cron job ${def.name}: namespaces need layout "2.x"`);
    return "";
  }
  const namespace = def.namespace || options.namespace;
  const available = options.availableNamespaces;
  if (available !== "auto" && namespace !== options.namespace && !available.includes(namespace)) {
    throw new Error(
      `cron job ${def.name}: namespace ${JSON.stringify(namespace)} is not in availableNamespaces`,
    );
  }
  return namespace;
}

/** `:enqueued` members older than this (relative to poll time) are removed after each enqueue. */
export const REMEMBER_THRESHOLD_SECONDS = 86_400;
/** sidekiq-cron's default `cron_history_size`. */
export const JID_HISTORY_SIZE = 10;
const SCAN_COUNT = 100;

/**
 * Claims a tick in the job's `:enqueued` and, when the job also has a 1.x `:enqueued` left by a
 * migration, there too: a 1.x poller still running claims only the old set, so the tick is ours only
 * if both ZADDs added it. Lua only moves the member text.
 */
const CLAIM_BOTH_SCRIPT = `
if redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 1 end
return redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])`;

/**
 * Cron jobs in sidekiq-cron's keys, 1.x or 2.x layout: what `Sidekiq::Cron::Job` save/find/all/
 * enable!/disable!/destroy do, and the poller's claim (`should_enqueue?`) and bookkeeping.
 */
export class CronStore {
  readonly layout: CronLayout;
  /** The default namespace (2.x); "" in layout 1.x. */
  readonly namespace: string;
  private readonly availableNamespaces: string[] | "auto";

  constructor(
    readonly redis: CronRedis,
    options: CronStoreOptions = {},
  ) {
    ({
      layout: this.layout,
      namespace: this.namespace,
      availableNamespaces: this.availableNamespaces,
    } = checkStoreOptions(options));
  }

  /** A job's keys in this layout (its namespace, else the default one). */
  keys(name: string, namespace?: string): JobKeys {
    return jobKeys(this.layout, name, namespace || this.namespace);
  }

  /**
   * Create or update a job as `Sidekiq::Cron::Job#save` does: SADD, every hash field, and, if the
   * job has no `:enqueued` set yet, an entry for the tick that just passed so saving never fires it.
   * An omitted status keeps the stored one; the last enqueue time is always kept.
   */
  async save(def: CronJobDefinition, now: Date = new Date(), source: CronSource = "dynamic"): Promise<void> {
    const namespace = this.checkDefinition(def);
    const [storedStatus, storedLast] = await this.redis.hmget(
      this.keys(def.name, namespace).hash,
      "status",
      "last_enqueue_time",
    );
    const status: CronStatus = def.status ?? (storedStatus === "disabled" ? "disabled" : "enabled");
    const lastEnqueueTime = fromHashFields({ last_enqueue_time: storedLast ?? "" }).lastEnqueueTime;
    await this.saveRecord(recordOf(def, { namespace, status, lastEnqueueTime, source }), now);
  }

  /** Writes a record (checked) with the save rule above; the migration re-saves 1.x hashes through it. */
  async saveRecord(rec: JobRecord, now: Date = new Date()): Promise<void> {
    const keys = this.keys(rec.name, rec.namespace);
    const tick = previousTick(parseCron(rec.cron), now);
    await this.redis.multi().sadd(keys.set, keys.hash).hset(keys.hash, toHashFields(rec, this.layout)).exec();
    if (!(await this.redis.exists(keys.enqueued))) {
      await this.redis.zadd(keys.enqueued, "NX", epochSeconds(now), tickMember(tick));
    }
  }

  async find(name: string, namespace?: string): Promise<CronJob | undefined> {
    const h = await this.redis.hgetall(this.keys(name, namespace).hash);
    return Object.keys(h).length === 0 ? undefined : fromHashFields(h);
  }

  /**
   * The jobs of a namespace (2.x; default: the default one), or of every namespace with "*", as
   * `Sidekiq::Cron::Job.all` lists them (members without a hash skipped), by namespace and name.
   * Layout 1.x has one list.
   */
  async all(namespace?: string): Promise<CronJob[]> {
    const sets =
      namespace === "*"
        ? (await this.namespaces()).map((ns) => jobsSetKey(this.layout, ns))
        : [jobsSetKey(this.layout, namespace || this.namespace)];
    const pipeline = this.redis.pipeline();
    for (const set of sets) for (const key of await this.redis.smembers(set)) pipeline.hgetall(key);
    const jobs: CronJob[] = [];
    for (const [err, h] of (await pipeline.exec()) ?? []) {
      if (!err && h && Object.keys(h as object).length > 0)
        jobs.push(fromHashFields(h as Record<string, string>));
    }
    return jobs.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  /** 2.x's `Namespace.all`: the available namespaces (or those found, with "auto") and the default one. */
  async namespaces(): Promise<string[]> {
    if (this.layout === "1.x") return [""];
    const listed =
      this.availableNamespaces === "auto" ? await this.findNamespaces() : this.availableNamespaces;
    return [...new Set([...listed, this.namespace])];
  }

  private async findNamespaces(): Promise<string[]> {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        "MATCH",
        NAMESPACE_SETS_PATTERN,
        "COUNT",
        SCAN_COUNT,
      );
      cursor = next;
      found.push(...keys.map(namespaceOfSetKey));
    } while (cursor !== "0");
    return found.sort();
  }

  /** Checks a definition (cron, name, class, namespace) as `save` will, returning its namespace. */
  checkDefinition(def: CronJobDefinition): string {
    validateDefinition(def);
    return namespaceOf(def, {
      layout: this.layout,
      namespace: this.namespace,
      availableNamespaces: this.availableNamespaces,
    });
  }

  enable(name: string, namespace?: string): Promise<boolean> {
    return this.setStatus(name, "enabled", namespace);
  }

  disable(name: string, namespace?: string): Promise<boolean> {
    return this.setStatus(name, "disabled", namespace);
  }

  /** Only the status field changes (Ruby re-saves every field; the result reads the same). */
  private async setStatus(name: string, status: CronStatus, namespace?: string): Promise<boolean> {
    const { hash } = this.keys(name, namespace);
    if (!(await this.redis.exists(hash))) return false;
    await this.redis.hset(hash, "status", status);
    return true;
  }

  /** `Job#destroy`: SREM and delete the hash, `:enqueued` and `:jid_history`. */
  async destroy(name: string, namespace?: string): Promise<boolean> {
    const keys = this.keys(name, namespace);
    const replies = await this.redis
      .multi()
      .srem(keys.set, keys.hash)
      .del(keys.enqueued, keys.jidHistory, keys.hash)
      .exec();
    return (replies ?? []).some(([, n]) => Number(n) > 0);
  }

  /**
   * 2.x's `destroy_removed_jobs`, run when the schedule file is loaded: jobs the file once created
   * (`source: schedule`, in any namespace read) whose name it no longer has are destroyed; jobs
   * created otherwise are kept. Returns the names destroyed.
   */
  async destroyRemovedScheduleJobs(scheduled: string[]): Promise<string[]> {
    const keep = new Set(scheduled);
    const removed = (await this.all("*")).filter((job) => job.source === "schedule" && !keep.has(job.name));
    for (const job of removed) await this.destroy(job.name, job.namespace);
    return removed.map((job) => job.name);
  }

  /** jid history, newest first: `{jid, enqueued}` as sidekiq-cron stores it (jid null when a middleware stopped the push). */
  async jidHistory(name: string, namespace?: string): Promise<{ jid: string | null; enqueued: string }[]> {
    const items = await this.redis.lrange(this.keys(name, namespace).jidHistory, 0, -1);
    return items.map((s) => JSON.parse(s) as { jid: string | null; enqueued: string });
  }

  /**
   * `should_enqueue?`'s ZADD: true when this call added the tick to the job's `:enqueued`. In 2.x,
   * a job of the default namespace that still has 1.x keys (left by the migration) is claimed in both.
   */
  async claimTick(job: CronJob, tick: Date): Promise<boolean> {
    const { enqueued } = this.keys(job.name, job.namespace);
    const score = epochSeconds(tick);
    const legacy = this.legacyEnqueuedKey(job);
    if (!legacy) return (await this.redis.zadd(enqueued, score, tickMember(tick))) === 1;
    return (await this.redis.eval(CLAIM_BOTH_SCRIPT, 2, enqueued, legacy, score, tickMember(tick))) === 1;
  }

  /** The 1.x `:enqueued` a 2.x job of the default namespace may have been migrated from. */
  private legacyEnqueuedKey(job: CronJob): string | undefined {
    const migratable = this.layout === "2.x" && (job.namespace || this.namespace) === this.namespace;
    return migratable ? enqueuedKey(job.name) : undefined;
  }

  /** After `enque!`: last_enqueue_time, the jid history (trimmed), and the 24 h trim of `:enqueued` (both sets, after a migration). */
  async recordEnqueue(job: CronJob, jid: string | null, now: Date): Promise<void> {
    const keys = this.keys(job.name, job.namespace);
    // 2.x puts the Time itself in the history, which JSON writes as Time#to_s.
    const enqueued = this.layout === "1.x" ? formatEnqueueTime(now) : formatRubyUtcTime(now);
    const forgetBefore = `(${epochSeconds(now) - REMEMBER_THRESHOLD_SECONDS}`;
    const tx = this.redis
      .multi()
      .hset(keys.hash, "last_enqueue_time", formatEnqueueTime(now))
      .lpush(keys.jidHistory, JSON.stringify({ jid, enqueued }))
      .ltrim(keys.jidHistory, 0, JID_HISTORY_SIZE - 1)
      .zremrangebyscore(keys.enqueued, 0, forgetBefore);
    const legacy = this.legacyEnqueuedKey(job);
    if (legacy) tx.zremrangebyscore(legacy, 0, forgetBefore);
    await tx.exec();
  }
}
