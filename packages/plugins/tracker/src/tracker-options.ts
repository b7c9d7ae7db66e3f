// The tracker's options and their defaults (which depend on the mode), checked once when the
// plugin is made.

import { ASSURED_JOBS_NAMESPACE } from "./assured-keys.js";
import { DEFAULT_MAX_INTERRUPTIONS } from "./interruption.js";

/**
 * "fetch": the reliable fetch in gitlab-sidekiq-fetcher's keys (every job, atomic with the fetch).
 * "assured": sidekiq-assured-jobs' middleware tracking of opted-in jobs, shared with Ruby's gem.
 */
export type TrackerMode = "fetch" | "assured";

export interface TrackerOptions {
  /** Default "fetch". */
  mode?: TrackerMode;
  /**
   * Prefix of the tracker's own keys. "fetch": the recovery lock and working-list registry,
   * default "kiq-tracker". "assured": every key, default "sidekiq_assured_jobs" (the gem's;
   * set it to Ruby's ASSURED_JOBS_NS, or "sidekiq_processing" for sidekiq-processing-tracker).
   */
  namespace?: string;
  /**
   * A job whose process died this many times while holding it goes to the dead set instead of
   * running again (a poison pill); a job's own `max_retries_after_interruption` wins. Negative:
   * never. Default 3, gitlab-sidekiq-fetcher's.
   */
  maxInterruptions?: number;
  /** Seconds between liveness beats. Default 10 ("fetch"), 15 ("assured", the gem's). */
  heartbeatInterval?: number;
  /** Seconds a process counts as alive after its last beat. Default 60 ("fetch": the gem's and Sidekiq's process TTL), 45 ("assured"). */
  heartbeatTtl?: number;
  /** Seconds between recovery passes across the fleet (one process runs each). Default 10 ("fetch"), 60 ("assured"). */
  recoveryInterval?: number;
  /** "fetch": seconds between full SCANs for unregistered working lists (Ruby's) across the fleet. Default 3600. */
  scanInterval?: number;
  /**
   * "fetch": jobs fetched ahead of free slots, while the others run, held in the working list
   * (never lost; they wait). Default: one batch, as many as the worker's concurrency; 0: none.
   */
  prefetch?: number;
  /** "assured": track every job, not only those with `assured_jobs: true` (or `processing: true`). Default false. */
  trackAll?: boolean;
  /** "assured": this instance's id. Default 16 random hex digits, as the gem makes them. */
  instanceId?: string;
}

export type TrackerConfig = Required<Omit<TrackerOptions, "instanceId" | "prefetch">> & {
  instanceId: string | undefined;
  prefetch: number | undefined;
};

const COMMON = {
  maxInterruptions: DEFAULT_MAX_INTERRUPTIONS,
  scanInterval: 3600,
  prefetch: undefined,
  trackAll: false,
};

export const DEFAULTS: Readonly<Record<TrackerMode, TrackerConfig>> = {
  fetch: {
    ...COMMON,
    mode: "fetch",
    namespace: "kiq-tracker",
    heartbeatInterval: 10,
    heartbeatTtl: 60,
    recoveryInterval: 10,
    instanceId: undefined,
  },
  assured: {
    ...COMMON,
    mode: "assured",
    namespace: ASSURED_JOBS_NAMESPACE,
    heartbeatInterval: 15,
    heartbeatTtl: 45,
    recoveryInterval: 60,
    instanceId: undefined,
  },
};

export function trackerConfig(options: TrackerOptions): TrackerConfig {
  const mode = options.mode ?? "fetch";
  const defaults = DEFAULTS[mode];
  if (!defaults)
    throw new TypeError(`tracker mode must be "fetch" or "assured", got ${JSON.stringify(mode)}`);
  for (const key of Object.keys(options)) {
    if (!(key in defaults))
      throw new TypeError(`unknown tracker option "${key}" (known: ${Object.keys(defaults).join(", ")})`);
  }
  const config = { ...defaults, ...definedOnly(options) };
  if (typeof config.namespace !== "string" || config.namespace === "")
    throw new TypeError("tracker namespace must be a non-empty string");
  if (!Number.isInteger(config.maxInterruptions))
    throw new TypeError(`tracker maxInterruptions must be an integer, got ${config.maxInterruptions}`);
  for (const name of ["heartbeatInterval", "heartbeatTtl", "recoveryInterval", "scanInterval"] as const) {
    if (!(config[name] > 0))
      throw new TypeError(`tracker ${name} must be a number of seconds > 0, got ${config[name]}`);
  }
  if (config.heartbeatTtl <= config.heartbeatInterval)
    throw new TypeError(
      `tracker heartbeatTtl (${config.heartbeatTtl} s) must exceed heartbeatInterval (${config.heartbeatInterval} s), or live processes look dead`,
    );
  if (config.prefetch !== undefined && (!Number.isInteger(config.prefetch) || config.prefetch < 0))
    throw new TypeError(`tracker prefetch must be a whole number of jobs, got ${config.prefetch}`);
  if (config.instanceId !== undefined && !/^[^:\s]+$/.test(config.instanceId))
    throw new TypeError(
      `tracker instanceId must be non-empty with no ':' or spaces, got ${config.instanceId}`,
    );
  return config;
}

function definedOnly(options: TrackerOptions): TrackerOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
