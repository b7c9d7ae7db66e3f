// sidekiq-unique-jobs 8.1.0's defaults and payload keys (lib/sidekiq_unique_jobs/{constants,config}.rb).

/** Global `lock_prefix` default: digests read `uniquejobs:<hex>`. */
export const DEFAULT_LOCK_PREFIX = "uniquejobs";
/** Global `lock_timeout` default, in seconds (0: do not wait for a lock). */
export const DEFAULT_LOCK_TIMEOUT = 0;
/** Global `lock_ttl` default: no expiry. */
export const DEFAULT_LOCK_TTL = null;
/** The digest keys, in the order the gem sorts them (byte order). */
export const DIGEST_KEYS = ["apartment", "class", "lock_args", "queue"] as const;
/** The 6.x fallbacks 7.x/8.x still read when the new key is absent. */
