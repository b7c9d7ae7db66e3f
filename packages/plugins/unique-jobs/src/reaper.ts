// The orphan reaper (sidekiq-unique-jobs 8.1.0's Orphans::Manager + RubyReaper, spec §1.9): one
// process at a time, named by `uniquejobs:reaper`, removes expired until_expired digests and the
// digests of jobs that exist nowhere — in no queue, not scheduled, not in the retry set, and not
// running on a live process. Locks taken in the last reaper_timeout + 10 s are never touched.

import type { ServerPluginHost } from "@kiq/core";
import { batchDelete } from "./digests.js";
import { DIGESTS_KEY, EXPIRING_DIGESTS_KEY, RUN_SUFFIX } from "./lock-keys.js";
import type { ScriptRedis } from "./lock-script.js";
import { MAX_QUEUE_LENGTH, REAPER_KEY, reaperKeyTtl } from "./reaper-settings.js";
import type { UniqueConfig } from "./unique-config.js";

/** Sidekiq's heartbeat pause, which the gem adds to the reaper's age limit. */
const BEAT_PAUSE_S = 10;
/** Jobs read per LRANGE when searching the queues (Sidekiq's page size). */
const QUEUE_PAGE = 50;

export interface ReaperSettings {
  reaperCount: number;
  reaperTimeout: number;
}

export interface ReapResult {
  /** False when the queues held more than 1000 jobs (the gem skips such runs). */
  ran: boolean;
  expired: string[];
  orphans: string[];
}

function withoutRun(digest: string): string {
  return digest.endsWith(RUN_SUFFIX) ? digest.slice(0, -RUN_SUFFIX.length) : digest;
}

/** Every job of every queue in `queues`, or undefined when there are more than MAX_QUEUE_LENGTH. */
async function queuedJobs(redis: ScriptRedis): Promise<string[] | undefined> {
  const names = await redis.smembers("queues");
  const lengths = await Promise.all(names.map((name) => redis.llen(`queue:${name}`)));
  if (lengths.reduce((sum, n) => sum + n, 0) > MAX_QUEUE_LENGTH) return undefined;
  const jobs: string[] = [];
  for (const name of names) {
    for (let start = 0; ; start += QUEUE_PAGE) {
      const page = await redis.lrange(`queue:${name}`, start, start + QUEUE_PAGE - 1);
      jobs.push(...page);
      if (page.length < QUEUE_PAGE) break;
    }
  }
  return jobs;
}

/** A decoded JSON value, or undefined when the text is not JSON. */
function readJson(text: unknown): unknown {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `created_at` in seconds, from Float seconds (Sidekiq 6/7) or Integer milliseconds (8). */
function createdSeconds(value: unknown): number | undefined {
  if (typeof value !== "number") return undefined;
  return Number.isInteger(value) && value > 1e11 ? value / 1000 : value;
}

/** What live processes are running: their lock digests (without `:RUN`) and the newest created_at. */
async function runningJobs(redis: ScriptRedis): Promise<{ digests: Set<string>; newestCreated: number }> {
  const digests = new Set<string>();
  let newestCreated = Number.NEGATIVE_INFINITY;
  const identities = (await redis.smembers("processes")).sort();
  for (const identity of identities) {
    // `:work` as Sidekiq 6.4.2+ names it; `:workers` for 6.4.1, which the gem's reaper does not read.
    const [alive, work, workers] = (await redis
      .pipeline()
      .exists(identity)
      .hvals(`${identity}:work`)
      .hvals(`${identity}:workers`)
      .exec()) as [Error | null, unknown][];
    if (alive?.[1] !== 1) continue;
    for (const entry of [...((work?.[1] as string[]) ?? []), ...((workers?.[1] as string[]) ?? [])]) {
      const running = readJson(entry) as { payload?: unknown } | undefined;
      const payload = readJson(running?.payload) as
        | { lock_digest?: unknown; created_at?: unknown }
        | undefined;
      if (!payload) continue;
      if (typeof payload.lock_digest === "string") digests.add(withoutRun(payload.lock_digest));
      newestCreated = Math.max(newestCreated, createdSeconds(payload.created_at) ?? newestCreated);
    }
  }
  return { digests, newestCreated };
}

async function inSortedSet(redis: ScriptRedis, key: string, digest: string): Promise<boolean> {
  let cursor = "0";
  do {
    const [next, found] = await redis.zscan(key, cursor, "MATCH", `*${digest}*`);
    if (found.length > 0) return true;
    cursor = next;
  } while (cursor !== "0");
  return false;
}

/** One reaper run, as the gem's RubyReaper#call. */
export async function reap(
  redis: ScriptRedis,
  settings: ReaperSettings,
  nowSeconds = Date.now() / 1000,
): Promise<ReapResult> {
  const started = Date.now();
  const timedOut = () => Date.now() - started >= settings.reaperTimeout * 1000;
  const queued = await queuedJobs(redis);
  if (queued === undefined) return { ran: false, expired: [], orphans: [] };
  const maxScore = nowSeconds - settings.reaperTimeout - BEAT_PAUSE_S;

  const expired = await redis.zrangebyscore(EXPIRING_DIGESTS_KEY, 0, maxScore);
  await batchDelete(redis, expired);

  const running = await runningJobs(redis);
  // The gem keeps every digest while any running job was created after maxScore.
  const recentRun = running.newestCreated > maxScore;
  const belongsToJob = async (digest: string) =>
    recentRun ||
    running.digests.has(withoutRun(digest)) ||
    queued.some((job) => job.includes(digest)) ||
    (await inSortedSet(redis, "schedule", digest)) ||
    (await inSortedSet(redis, "retry", digest));

  const orphans: string[] = [];
  const per = settings.reaperCount * 2;
  for (let offset = 0; orphans.length < settings.reaperCount && !timedOut(); offset += per) {
    const page = await redis.zrangebyscore(DIGESTS_KEY, 0, maxScore, "LIMIT", offset, per);
    if (page.length === 0) break;
    for (const digest of page) {
      if (timedOut() || orphans.length >= settings.reaperCount) break;
      if (!(await belongsToJob(digest))) orphans.push(digest);
    }
  }
  await batchDelete(redis, orphans);
  return { ran: true, expired, orphans };
}

/**
 * Runs the reaper on this worker while it holds `uniquejobs:reaper` (SET NX, as the gem's manager
 * registers; refreshed by each run). Unlike the gem, a worker whose reaper key lapsed (its holder
 * died) takes over at its next tick, so reaping does not stop with one process.
 */
export function startReaper(host: ServerPluginHost, config: UniqueConfig): void {
  if (config.reaper === false || config.reaper === "none") return;
  const ttl = reaperKeyTtl(config.reaperInterval);
  let holder = false;
  const claim = async (): Promise<boolean> => {
    const now = String(Math.trunc(Date.now() / 1000));
    if (holder) await host.redis.set(REAPER_KEY, now, "EX", ttl);
    else holder = (await host.redis.set(REAPER_KEY, now, "EX", ttl, "NX")) === "OK";
    return holder;
  };
  const run = async () => {
    if (!(await claim())) return;
    const result = await reap(host.redis, config);
    if (result.expired.length + result.orphans.length > 0)
      host.logger.info(
        { expired: result.expired.length, orphans: result.orphans.length },
        "unique-jobs: reaper removed digests",
      );
  };
  host.on("startup", run);
  host.every(config.reaperInterval, run);
  host.on("shutdown", async () => {
    if (holder) await host.redis.del(REAPER_KEY);
  });
}
