// The tracker's options and their defaults, checked once when the plugin is made.

import { DEFAULT_MAX_INTERRUPTIONS } from "./interruption.js";

export interface TrackerOptions {
  /** Prefix of the tracker's own keys (recovery lock, working-list registry). Default "kiq-tracker". */
  namespace?: string;
  /**
   * A job whose process died this many times while holding it goes to the dead set instead of
   * running again (a poison pill); a job's own `max_retries_after_interruption` wins. Negative:
   * never. Default 3, gitlab-sidekiq-fetcher's.
   */
  maxInterruptions?: number;
  /** Seconds between liveness beats. Default 10. */
  heartbeatInterval?: number;
  /** Seconds a process counts as alive after its last beat. Default 60 (gitlab-sidekiq-fetcher's, and Sidekiq's process TTL). */
  heartbeatTtl?: number;
  /** Seconds between recovery passes across the fleet (one process runs each). Default 10. */
  recoveryInterval?: number;
  /** Seconds between full SCANs for unregistered working lists (Ruby's) across the fleet. Default 3600. */
  scanInterval?: number;
  /** Jobs fetched ahead of free slots, held in the working list (never lost; they run late on a crash). Default 0. */
  prefetch?: number;
}

export type TrackerConfig = Required<TrackerOptions>;

export const DEFAULTS: TrackerConfig = {
  namespace: "kiq-tracker",
  maxInterruptions: DEFAULT_MAX_INTERRUPTIONS,
  heartbeatInterval: 10,
  heartbeatTtl: 60,
  recoveryInterval: 10,
  scanInterval: 3600,
  prefetch: 0,
};

export function trackerConfig(options: TrackerOptions): TrackerConfig {
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULTS))
      throw new TypeError(`unknown tracker option "${key}" (known: ${Object.keys(DEFAULTS).join(", ")})`);
  }
  const config = { ...DEFAULTS, ...definedOnly(options) };
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
  if (!Number.isInteger(config.prefetch) || config.prefetch < 0)
    throw new TypeError(`tracker prefetch must be a whole number of jobs, got ${config.prefetch}`);
  return config;
}

function definedOnly(options: TrackerOptions): TrackerOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
