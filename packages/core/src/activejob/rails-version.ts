// The Rails (ActiveJob) release whose job hash kiq writes. Readers accept every release's form;
// writers must pick one, because older Rails cannot read what newer Rails added.

import type { SidekiqVersion } from "../wire/types.js";

/** ActiveJob releases whose serialized form kiq knows. */
export const RAILS_VERSIONS = ["6.1", "7.0", "7.1", "7.2", "8.0", "8.1"] as const;
export type RailsVersion = (typeof RAILS_VERSIONS)[number];

/** Sidekiq 8 supports Rails 7.0 and later; 6.x and 7.x run with 6.1. */
const OLDEST_RAILS_FOR_SIDEKIQ_8: RailsVersion = "7.0";
const OLDEST_RAILS: RailsVersion = "6.1";

/** Whether `version` is `minimum` or later. */
export function railsAtLeast(version: RailsVersion, minimum: RailsVersion): boolean {
  return RAILS_VERSIONS.indexOf(version) >= RAILS_VERSIONS.indexOf(minimum);
}

/**
 * The oldest Rails the fleet's Sidekiq runs with: what every Rails that Sidekiq version supports
 * can read (later Rails read older job hashes; the reverse fails for BigDecimal and Range).
 */
export function defaultRailsVersion(sidekiqVersion: SidekiqVersion): RailsVersion {
  return sidekiqVersion >= 8 ? OLDEST_RAILS_FOR_SIDEKIQ_8 : OLDEST_RAILS;
}

export function isRailsVersion(value: unknown): value is RailsVersion {
  return RAILS_VERSIONS.includes(value as RailsVersion);
}
