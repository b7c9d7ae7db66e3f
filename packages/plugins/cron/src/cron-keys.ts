/** sidekiq-cron 1.x key names (1.8.0–1.12): no namespace, no TTLs. */

export const CRON_JOBS_KEY = "cron_jobs";

export const cronJobKey = (name: string) => `cron_job:${name}`;
export const enqueuedKey = (name: string) => `cron_job:${name}:enqueued`;
export const jidHistoryKey = (name: string) => `cron_job:${name}:jid_history`;

/** The job name back from a `cron_jobs` member (`cron_job:<name>`). */
export const nameFromJobKey = (key: string) => key.slice("cron_job:".length);
