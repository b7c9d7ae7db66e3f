// @kiq/tracker: reliable fetch and orphan recovery for kiq, in gitlab-sidekiq-fetcher's keys, or
// sidekiq-assured-jobs' tracking of opted-in jobs.

export type { Ack } from "./ack-batch.js";
export { ASSURED_JOBS_NAMESPACE, AssuredKeys } from "./assured-keys.js";
export { AssuredRecovery, type AssuredRecoveryOptions } from "./assured-recovery.js";
export { type AssuredTrackingOptions, assuredTracking, optedIn } from "./assured-tracking.js";
export {
  DEFAULT_MAX_INTERRUPTIONS,
  type Interruption,
  interrupt,
  POISON_PILL_ERROR,
} from "./interruption.js";
export { Liveness } from "./liveness.js";
export { OrphanRecovery, type OrphanRecoveryOptions, type RecoveryReport } from "./orphan-recovery.js";
export { IDLE_BLOCK, QUICK_JOB_MS, ReliableFetch, type ReliableFetchOptions } from "./reliable-fetch.js";
export {
  DEFAULTS,
  type TrackerConfig,
  type TrackerMode,
  type TrackerOptions,
  trackerConfig,
} from "./tracker-options.js";
export { EXIT_WRITE_TIMEOUT, tracker } from "./tracker-plugin.js";
export { heartbeatKey, parseWorkingList, WORKING_LISTS_PATTERN, workingList } from "./working-lists.js";
