// @kiq/tracker: reliable fetch and orphan recovery for kiq, in gitlab-sidekiq-fetcher's keys.

export { AckBatch } from "./ack-batch.js";
export {
  DEFAULT_MAX_INTERRUPTIONS,
  type Interruption,
  interrupt,
  POISON_PILL_ERROR,
} from "./interruption.js";
export { Liveness } from "./liveness.js";
export { OrphanRecovery, type OrphanRecoveryOptions, type RecoveryReport } from "./orphan-recovery.js";
export { IDLE_BLOCK, ReliableFetch, type ReliableFetchOptions } from "./reliable-fetch.js";
export { DEFAULTS, type TrackerConfig, type TrackerOptions, trackerConfig } from "./tracker-options.js";
export { EXIT_WRITE_TIMEOUT, tracker } from "./tracker-plugin.js";
export { heartbeatKey, parseWorkingList, WORKING_LISTS_PATTERN, workingList } from "./working-lists.js";
