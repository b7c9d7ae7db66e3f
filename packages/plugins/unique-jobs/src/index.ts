export type { ConflictSide, ConflictStrategy, OnConflict } from "./conflict.js";
export { CONFLICT_STRATEGIES, DEFAULT_SCHEDULE_IN, UniqueConflictError } from "./conflict.js";
export { DEFAULT_LOCK_PREFIX, DEFAULT_LOCK_TIMEOUT, DEFAULT_LOCK_TTL } from "./constants.js";
export type { DigestAlgorithm } from "./digest-algorithm.js";
export { DEFAULT_DIGEST_ALGORITHM, hexDigest } from "./digest-algorithm.js";
export { BATCH_DELETE_SIZE, batchDelete, deleteByDigest } from "./digests.js";
export type { DigestSource } from "./lock-digest.js";
export { digestText, lockDigest } from "./lock-digest.js";
export {
  CHANGELOG_KEY,
  DIGESTS_KEY,
  EXPIRING_DIGESTS_KEY,
  lockKeys,
  RUN_SUFFIX,
  runDigest,
} from "./lock-keys.js";
export type { LockType } from "./lock-type.js";
export { isLockType, LOCK_ALIASES, LOCK_TYPES, lockTypeOf } from "./lock-type.js";
export type { LockRequest } from "./locksmith.js";
export { DEFAULT_LOCK_LIMIT, holdsLock, lock, lockLimit, unlock } from "./locksmith.js";
export type { UniqueItem } from "./prepare.js";
export { lockArgs, lockTimeout, lockTtl, prepareItem } from "./prepare.js";
export type { ReaperSettings, ReapResult } from "./reaper.js";
export { reap } from "./reaper.js";
export type { ReaperMode } from "./reaper-settings.js";
export { MAX_QUEUE_LENGTH, REAPER_DEFAULTS, REAPER_KEY, reaperKeyTtl } from "./reaper-settings.js";
export type { ServerLockJob, ServerOutcome } from "./server-lock.js";
export {
  aroundPerform,
  LOCK_POLL_MS,
  MAX_SERVER_WAIT_S,
  MIN_SERVER_WAIT_S,
  serverWaitSeconds,
} from "./server-lock.js";
export { RESCHEDULED } from "./strategies.js";
export type { LockArgsFilter, UniqueConfig, UniqueJobsOptions } from "./unique-config.js";
export { uniqueConfig } from "./unique-config.js";
export { isUniqueItem, uniqueJobs } from "./unique-plugin.js";
