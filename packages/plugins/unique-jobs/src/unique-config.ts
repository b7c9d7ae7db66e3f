// Global settings of the plugin, with the gem's names and defaults (SidekiqUniqueJobs.config).

import { KiqError } from "@kiq/core";
import type { OnConflict } from "./conflict.js";
import { DEFAULT_LOCK_PREFIX, DEFAULT_LOCK_TIMEOUT, DEFAULT_LOCK_TTL } from "./constants.js";
import { DEFAULT_DIGEST_ALGORITHM, type DigestAlgorithm } from "./digest-algorithm.js";
import { REAPER_DEFAULTS, type ReaperMode } from "./reaper-settings.js";

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
  /** Strategy when a job sets no `on_conflict` (the gem's global `on_conflict`); default none. */
  onConflict?: OnConflict;
  /** The orphan reaper (servers): "ruby" (default) or "lua" run kiq's reaper, false or "none" turn it off. */
  reaper?: ReaperMode | false;
  /** Orphans removed per run at most; default 1000. */
  reaperCount?: number;
  /** Seconds between runs; default 600. */
  reaperInterval?: number;
  /** Seconds one run may take, and how recent a lock must be to be left alone; default 10. */
  reaperTimeout?: number;
}

export type LockArgsFilter = (args: unknown[]) => unknown[];

export interface UniqueConfig {
  lockPrefix: string;
  lockTimeout: number | null;
  lockTtl: number | null;
  digestAlgorithm: DigestAlgorithm;
  lockArgs: Record<string, LockArgsFilter>;
  onConflict: OnConflict | undefined;
  reaper: ReaperMode | false;
  reaperCount: number;
  reaperInterval: number;
  reaperTimeout: number;
}

export function uniqueConfig(options: UniqueJobsOptions = {}): UniqueConfig {
  return {
    lockPrefix: options.lockPrefix ?? DEFAULT_LOCK_PREFIX,
    lockTimeout: options.lockTimeout === undefined ? DEFAULT_LOCK_TIMEOUT : options.lockTimeout,
    lockTtl: options.lockTtl === undefined ? DEFAULT_LOCK_TTL : options.lockTtl,
    digestAlgorithm: options.digestAlgorithm ?? DEFAULT_DIGEST_ALGORITHM,
    lockArgs: options.lockArgs ?? {},
    onConflict: options.onConflict,
    reaper: options.reaper === "none" ? false : (options.reaper ?? REAPER_DEFAULTS.reaper),
    reaperCount: positive("reaperCount", options.reaperCount ?? REAPER_DEFAULTS.reaperCount),
    reaperInterval: positive("reaperInterval", options.reaperInterval ?? REAPER_DEFAULTS.reaperInterval),
    reaperTimeout: positive("reaperTimeout", options.reaperTimeout ?? REAPER_DEFAULTS.reaperTimeout),
  };
}

function positive(name: string, value: number): number {
  if (!(typeof value === "number" && value > 0))
    throw new KiqError(`unique-jobs: ${name} must be a positive number, got ${String(value)}`);
  return value;
}
