// sidekiq-assured-jobs' recovery: every jobs set whose instance has no heartbeat key is orphaned;
// its jobs go back to their queues (or, as poison pills, to the dead set). The gem's
// `recovery_lock` keeps kiq and Ruby recoverers apart; kiq holds it for `recoveryInterval` (one
// pass per interval across the fleet), the gem deletes it after its pass. Jobs sets are found with
// SCAN (the gem uses KEYS), and each jid is taken with SPOP into this instance's own set, so no
// two recoverers take one job, and a recoverer that dies leaves it where the next pass finds it.

import { DeadSet, formatFloat, nowMs, Payload, type SidekiqVersion } from "@kiq/core";
import type { AssuredKeys } from "./assured-keys.js";
import { expiryMs } from "./expiry.js";
import type { TrackerRedis } from "./host-types.js";
import { announceRelease, interrupt, type ReleaseAnnouncer } from "./interruption.js";
import type { RecoveryReport } from "./orphan-recovery.js";
import { withTrackerScripts } from "./scripts.js";

export interface AssuredRecoveryOptions extends ReleaseAnnouncer {
  redis: TrackerRedis;
  keys: AssuredKeys;
  instanceId: string;
  sidekiqVersion: SidekiqVersion;
  maxInterruptions: number;
  recoveryInterval: number;
}

export class AssuredRecovery {
  constructor(private readonly options: AssuredRecoveryOptions) {}

  async pass(): Promise<RecoveryReport> {
    const report = { requeued: 0, buried: 0 };
    const { redis, keys, instanceId, recoveryInterval, logger } = this.options;
    if (!(await redis.set(keys.recoveryLock, instanceId, "PX", expiryMs(recoveryInterval), "NX")))
      return report;
    for await (const found of redis.scanStream({ match: keys.jobsPattern, count: 1000 })) {
      for (const jobsKey of found as string[]) {
        const owner = keys.instanceOf(jobsKey);
        if (owner === instanceId || (await redis.exists(keys.instance(owner))) === 1) continue;
        await this.recoverInstance(jobsKey, report);
      }
    }
    if (report.requeued + report.buried > 0)
      logger.warn(report, "tracker: recovered the jobs of dead assured-jobs instances");
    return report;
  }

  private async recoverInstance(jobsKey: string, report: RecoveryReport): Promise<void> {
    const { redis, keys, instanceId, sidekiqVersion, maxInterruptions } = this.options;
    const scripts = withTrackerScripts(redis);
    const own = keys.jobs(instanceId);
    for (;;) {
      const claimed = await scripts.trackerClaimTracked(jobsKey, own, keys.jobPrefix);
      if (!claimed) return;
      const [jid, copy] = claimed;
      if (copy === null) {
        await redis.srem(own, jid); // tracked without a copy: nothing to push
        continue;
      }
      const outcome = interrupt(copy, maxInterruptions, sidekiqVersion);
      const queue = queueOf(copy);
      if (outcome.action === "bury") {
        const score = formatFloat(nowMs() / 1000);
        await scripts.trackerReturnTracked(
          own,
          keys.job(jid),
          "dead",
          "queues",
          jid,
          outcome.payload,
          score,
          queue,
        );
        await new DeadSet({ redis }).trim();
        await announceRelease(this.options, copy, "dead");
        report.buried += 1;
      } else {
        await announceRelease(this.options, copy, "recovered");
        await scripts.trackerReturnTracked(
          own,
          keys.job(jid),
          `queue:${queue}`,
          "queues",
          jid,
          outcome.payload,
          "",
          queue,
        );
        report.requeued += 1;
      }
    }
  }
}

/** The queue a job copy names ("default" if it names none or cannot be read). */
function queueOf(copy: string): string {
  try {
    const queue = Payload.parse(copy).item.queue;
    return typeof queue === "string" && queue !== "" ? queue : "default";
  } catch {
    return "default";
  }
}
