import { recordFromHash, validateDefinition } from "./cron-job.js";
import { CRON_JOBS_KEY } from "./cron-keys.js";
import type { CronStore } from "./cron-store.js";

/**
 * What a sidekiq-cron 2.x poller does to a 1.x layout when it starts (`migrate_old_jobs_if_needed!`):
 * every job in `cron_jobs` is saved again in the default namespace (its status, last enqueue time,
 * args and message kept; booleans re-encoded; a fresh `:enqueued` with the save-time entry) and
 * SREMmed from `cron_jobs`. The 1.x hash, `:enqueued` and `:jid_history` stay behind, as in Ruby;
 * the store claims ticks in that old `:enqueued` too, which keeps a 1.x poller still running from
 * enqueueing the same tick. A member whose hash is gone or invalid is only removed, as Ruby does.
 * Returns the names moved.
 */
export async function migrateLegacyJobs(store: CronStore, now: Date = new Date()): Promise<string[]> {
  if (store.layout !== "2.x") throw new Error('migrating 1.x cron jobs needs a store with layout "2.x"');
  const moved: string[] = [];
  for (const member of await store.redis.smembers(CRON_JOBS_KEY)) {
    const rec = recordFromHash(await store.redis.hgetall(member), store.namespace);
    if (isValid(rec)) {
      await store.saveRecord(rec, now);
      moved.push(rec.name);
    }
    await store.redis.srem(CRON_JOBS_KEY, member);
  }
  return moved.sort();
}

function isValid(rec: { name: string; klass: string; cron: string }): boolean {
  try {
    validateDefinition(rec);
    return true;
  } catch {
    return false;
  }
}
