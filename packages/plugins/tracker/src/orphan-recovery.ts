// Finds working lists whose owner's heartbeat is gone and pushes their jobs back to the queues they
// came from (or, for a poison pill, to the dead set). A pass runs at startup and every
// `recoveryInterval` seconds under a fleet-wide lock, and looks at the working lists kiq processes
// register; a full SCAN of `working:queue:*` (which also finds Ruby's gitlab-fetcher lists, and
// lists a crash left unregistered) runs at most every `scanInterval` seconds across the fleet.
//
// Each job is taken with an atomic move from the orphan's list into this process' own working
// list, so racing recoverers (kiq or Ruby) never take the same job twice, and a recoverer that dies
// mid-way leaves the job where the next pass finds it.

import { DeadSet, formatFloat, keyspace, nowMs, type SidekiqVersion } from "@kiq/core";
import { expiryMs } from "./expiry.js";
import type { TrackerRedis } from "./host-types.js";
import { announceRelease, interrupt, type ReleaseAnnouncer } from "./interruption.js";
import { requeueJobs, withTrackerScripts } from "./scripts.js";
import { heartbeatKey, parseWorkingList, WORKING_LISTS_PATTERN, workingList } from "./working-lists.js";

/** Jobs taken from an orphan list per script call. */
export const RECOVERY_BATCH = 100;
/** SCAN's COUNT hint, as the gem uses. */
export const SCAN_COUNT = 1000;

/** `releaseJob` announces a job about to run again or never to run (unique locks are released). */
export interface OrphanRecoveryOptions extends ReleaseAnnouncer {
  redis: TrackerRedis;
  identity: string;
  namespace: string;
  sidekiqVersion: SidekiqVersion;
  maxInterruptions: number;
  /** Seconds the pass lock is held: at most one pass per this many seconds across the fleet. */
  recoveryInterval: number;
  /** Seconds between full SCANs across the fleet. */
  scanInterval: number;
}

export interface RecoveryReport {
  requeued: number;
  buried: number;
}

export class OrphanRecovery {
  private readonly key: (...parts: string[]) => string;
  /** This process' own working lists: registered while it lives, not only while it recovers. */
  private readonly own = new Set<string>();

  constructor(private readonly options: OrphanRecoveryOptions) {
    this.key = keyspace(options.namespace);
  }

  /** The SET of working lists kiq processes announce, so a pass need not SCAN the keyspace. */
  get registry(): string {
    return this.key("working-lists");
  }

  /** Announces this process' working lists before jobs go into them. */
  async register(lists: readonly string[]): Promise<void> {
    for (const list of lists) this.own.add(list);
    if (lists.length > 0) await this.options.redis.sadd(this.registry, ...lists);
  }

  /** Drops this process' lists from the registry once they are empty (a clean exit). */
  async unregisterEmpty(lists: readonly string[]): Promise<void> {
    const { redis } = this.options;
    for (const list of lists) if ((await redis.llen(list)) === 0) await redis.srem(this.registry, list);
  }

  /** One pass, if this process wins the lock. */
  async pass(): Promise<RecoveryReport> {
    const report = { requeued: 0, buried: 0 };
    const { redis, identity, recoveryInterval, scanInterval } = this.options;
    if (!(await redis.set(this.key("recovery-lock"), identity, "PX", expiryMs(recoveryInterval), "NX")))
      return report;
    const lists = new Set(await redis.smembers(this.registry));
    if (await redis.set(this.key("scan-lock"), identity, "PX", expiryMs(scanInterval), "NX")) {
      for await (const keys of redis.scanStream({ match: WORKING_LISTS_PATTERN, count: SCAN_COUNT })) {
        for (const key of keys as string[]) lists.add(key);
      }
    }
    const alive = new Map<string, boolean>();
    for (const list of lists) {
      const parsed = parseWorkingList(list);
      if (!parsed) {
        await redis.srem(this.registry, list);
        continue;
      }
      if (parsed.identity === identity) continue;
      let live = alive.get(parsed.identity);
      if (live === undefined) {
        live = (await redis.exists(heartbeatKey(parsed.identity))) === 1;
        alive.set(parsed.identity, live);
      }
      if (live) continue;
      const recovered = await this.recoverList(list, parsed.queueKey);
      report.requeued += recovered.requeued;
      report.buried += recovered.buried;
    }
    if (report.requeued + report.buried > 0)
      this.options.logger.warn(report, "tracker: recovered the jobs of dead processes");
    return report;
  }

  /** Empties one dead process' working list, job by job. */
  async recoverList(orphan: string, queueKey: string): Promise<RecoveryReport> {
    const { redis, identity } = this.options;
    const report = { requeued: 0, buried: 0 };
    const mine = workingList(queueKey, identity);
    await redis.sadd(this.registry, mine);
    const scripts = withTrackerScripts(redis);
    for (;;) {
      // Newest first, each pushed to the fetch end: the oldest ends up fetched first, as before.
      const flat = await scripts.trackerMoveJobs(2, orphan, mine, RECOVERY_BATCH, "newest", 0);
      if (flat.length === 0) break;
      for (let i = 1; i < flat.length; i += 2) {
        if (await this.recoverJob(mine, queueKey, flat[i] as string)) report.buried += 1;
        else report.requeued += 1;
      }
    }
    await redis.srem(this.registry, orphan);
    if (!this.own.has(mine)) await this.unregisterEmpty([mine]);
    return report;
  }

  /** Pushes one job (now in `mine`) back to its queue, or buries it; true when buried. */
  private async recoverJob(mine: string, queueKey: string, held: string): Promise<boolean> {
    const { redis, logger, sidekiqVersion, maxInterruptions } = this.options;
    const outcome = interrupt(held, maxInterruptions, sidekiqVersion);
    if (outcome.action === "bury") {
      const score = formatFloat(nowMs() / 1000);
      await withTrackerScripts(redis).trackerBuryJob(mine, "dead", held, outcome.payload, score);
      await new DeadSet({ redis }).trim();
      logger.error(
        { queue: queueKey, payload: outcome.payload.slice(0, 500) },
        "tracker: poison pill buried",
      );
      await announceRelease(this.options, held, "dead");
      return true;
    }
    // Before the push: a unique lock the dead process held must not block the job's own run.
    await announceRelease(this.options, held, "recovered");
    await requeueJobs(redis, [{ working: mine, queueKey, held, pushed: outcome.payload }]);
    return false;
  }
}
