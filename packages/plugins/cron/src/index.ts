export { CronSyntaxError } from "./cron-error.js";
export { type CronExpression, cronToString, parseCron, type WeekdaySpec } from "./cron-expression.js";
export type { CronJob, CronJobDefinition, CronStatus } from "./cron-job.js";
export { CRON_JOBS_KEY, cronJobKey, enqueuedKey, jidHistoryKey } from "./cron-keys.js";
export { type CronOptions, cron, DEFAULT_POLL_INTERVAL } from "./cron-plugin.js";
export {
  CronPoller,
  JID_HISTORY_SIZE,
  REMEMBER_THRESHOLD_SECONDS,
  RESCHEDULE_GRACE_SECONDS,
} from "./cron-poller.js";
export { type CronRedis, CronStore } from "./cron-store.js";
export { nextTick, previousTick } from "./cron-ticks.js";
export { DEFAULT_SCHEDULE_FILE, parseSchedule, readSchedule } from "./schedule-file.js";
