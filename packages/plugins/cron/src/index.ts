export { cronCommand } from "./cron-command.js";
export { CronSyntaxError } from "./cron-error.js";
export { type CronExpression, cronToString, parseCron, type WeekdaySpec } from "./cron-expression.js";
export type { CronJob, CronJobDefinition, CronSource, CronStatus } from "./cron-job.js";
export {
  CRON_JOBS_KEY,
  type CronLayout,
  cronJobKey,
  DEFAULT_NAMESPACE,
  enqueuedKey,
  type JobKeys,
  jidHistoryKey,
  jobKeys,
  jobsSetKey,
} from "./cron-keys.js";
export { migrateLegacyJobs } from "./cron-migration.js";
export { type CronOptions, cron, DEFAULT_POLL_INTERVAL } from "./cron-plugin.js";
export { CronPoller, type CronPush, RESCHEDULE_GRACE_SECONDS } from "./cron-poller.js";
export {
  type CronRedis,
  CronStore,
  type CronStoreOptions,
  JID_HISTORY_SIZE,
  REMEMBER_THRESHOLD_SECONDS,
} from "./cron-store.js";
export { nextTick, previousTick } from "./cron-ticks.js";
export { DEFAULT_SCHEDULE_FILE, parseSchedule, readSchedule } from "./schedule-file.js";
