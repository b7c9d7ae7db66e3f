export type { ConcurrencyLimit, LimitRule, RateLimit } from "./limit-rule.js";
export { checkRule, DEFAULT_LEASE } from "./limit-rule.js";
export type { Admission } from "./limiters.js";
export { DEFAULT_NAMESPACE, Limiters } from "./limiters.js";
export type { LimitsOptions } from "./limits-plugin.js";
export { limits, OverLimitError } from "./limits-plugin.js";
export { concurrencyBackoff, MAX_BACKOFF, OVERRATED, overratedCount, reschedule } from "./reschedule.js";
