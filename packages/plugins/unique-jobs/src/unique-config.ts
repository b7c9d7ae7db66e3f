// Global settings of the plugin, with the gem's names and defaults (SidekiqUniqueJobs.config).

import { DEFAULT_LOCK_PREFIX, DEFAULT_LOCK_TIMEOUT, DEFAULT_LOCK_TTL } from "./constants.js";
import { DEFAULT_DIGEST_ALGORITHM, type DigestAlgorithm } from "./digest-algorithm.js";

export interface UniqueJobsOptions {
  /** Digest prefix when the job has no `lock_prefix`; default "uniquejobs". */
  lockPrefix?: string;
  /** Seconds to wait for a taken lock when the job sets none; default 0. */
  lockTimeout?: number | null;
  /** Lock TTL in seconds when the job sets none; default null (no expiry). */
  lockTtl?: number | null;
  /** "legacy" (MD5, the gem's default) or "modern" (SHA3-256); must match the Ruby side. */
  digestAlgorithm?: DigestAlgorithm;
  /** Per job class, the args the digest uses (the gem's `lock_args_method`); default: all args. */
  lockArgs?: Record<string, LockArgsFilter>;
}

export type LockArgsFilter = (args: unknown[]) => unknown[];

export interface UniqueConfig {
  lockPrefix: string;
  lockTimeout: number | null;
  lockTtl: number | null;
  digestAlgorithm: DigestAlgorithm;
  lockArgs: Record<string, LockArgsFilter>;
}

export function uniqueConfig(options: UniqueJobsOptions = {}): UniqueConfig {
  return {
    lockPrefix: options.lockPrefix ?? DEFAULT_LOCK_PREFIX,
    lockTimeout: options.lockTimeout === undefined ? DEFAULT_LOCK_TIMEOUT : options.lockTimeout,
    lockTtl: options.lockTtl === undefined ? DEFAULT_LOCK_TTL : options.lockTtl,
    digestAlgorithm: options.digestAlgorithm ?? DEFAULT_DIGEST_ALGORITHM,
    lockArgs: options.lockArgs ?? {},
  };
}
