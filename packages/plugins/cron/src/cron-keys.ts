/**
 * sidekiq-cron's key names. Layout 1.x (1.8.0–1.12): one `cron_jobs` set, `cron_job:<name>` keys.
 * Layout 2.x (2.0–2.3): the same per namespace, `cron_jobs:<ns>` and `cron_job:<ns>:<name>`.
 */

export type CronLayout = "1.x" | "2.x";

/** 2.x's `default_namespace`; an empty namespace means it too. */
export const DEFAULT_NAMESPACE = "default";

/** The 1.x set of every job (2.x's poller migrates and empties it at start). */
export const CRON_JOBS_KEY = "cron_jobs";

export const cronJobKey = (name: string) => `cron_job:${name}`;
export const enqueuedKey = (name: string) => `cron_job:${name}:enqueued`;
export const jidHistoryKey = (name: string) => `cron_job:${name}:jid_history`;

/** The keys of one job. */
export interface JobKeys {
  /** The set listing the job (`cron_jobs` or `cron_jobs:<ns>`), whose member is `hash`. */
  set: string;
  hash: string;
  enqueued: string;
  jidHistory: string;
}

const orDefault = (namespace: string | undefined) => namespace || DEFAULT_NAMESPACE;

/** The set of a layout's jobs: `cron_jobs`, or `cron_jobs:<ns>` in 2.x. */
export const jobsSetKey = (layout: CronLayout, namespace?: string) =>
  layout === "1.x" ? CRON_JOBS_KEY : `${CRON_JOBS_KEY}:${orDefault(namespace)}`;

/** One job's keys; 1.x ignores the namespace. */
export function jobKeys(layout: CronLayout, name: string, namespace?: string): JobKeys {
  const hash = layout === "1.x" ? cronJobKey(name) : `cron_job:${orDefault(namespace)}:${name}`;
  return {
    set: jobsSetKey(layout, namespace),
    hash,
    enqueued: `${hash}:enqueued`,
    jidHistory: `${hash}:jid_history`,
  };
}

/** 2.x's `:auto` namespace discovery reads the text after the last `:` of each `cron_jobs:*` key. */
export const NAMESPACE_SETS_PATTERN = `${CRON_JOBS_KEY}:*`;
export const namespaceOfSetKey = (key: string) => key.slice(key.lastIndexOf(":") + 1);
