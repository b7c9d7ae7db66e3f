// The gem's reaper settings and its registration key (SidekiqUniqueJobs.config, Orphans::Manager).

/** kiq runs one reaper for both names; the gem 8.x also runs its Ruby reaper for `:lua`. */
export type ReaperMode = "ruby" | "lua" | "none";

export const REAPER_DEFAULTS = {
  reaper: "ruby" as ReaperMode | false,
  reaperCount: 1000,
  reaperInterval: 600,
  reaperTimeout: 10,
};

/** Holds the epoch seconds of the process that reaps; whoever sets it (NX) reaps. */
export const REAPER_KEY = "uniquejobs:reaper";
/** The key's expiry: the interval plus 2 % (612 s by default), refreshed by every run. */
export function reaperKeyTtl(intervalSeconds: number): number {
  return intervalSeconds + Math.trunc(intervalSeconds * 0.02);
}
/** A run is skipped while the queues hold more jobs than this in total (the gem's MAX_QUEUE_LENGTH). */
export const MAX_QUEUE_LENGTH = 1000;
