// The plugin: around every job a worker runs, the limits the job is under are checked and taken in
// one script call. A job over a limit is not run, not failed and not waited on: it goes to the
// schedule set, due when its reserved rate token is (or after a backoff when a concurrency limit is
// full), and Sidekiq's scheduled poller (Ruby's or kiq's) brings it back to its queue.

import { definePlugin, KiqError, Payload, type Plugin } from "@kiq/core";
import { checkRule, type LimitRule } from "./limit-rule.js";
import { DEFAULT_NAMESPACE, Limiters } from "./limiters.js";
import { concurrencyBackoff, overratedCount, reschedule } from "./reschedule.js";

export interface LimitsOptions {
  limits: LimitRule[];
  /** Prefix of the plugin's keys. Default "kiq-limits". */
  namespace?: string;
  /**
   * After this many reschedules the job fails with OverLimitError and goes through its retries, as
   * Enterprise does after 20. Default: never (a limited job waits as long as its limit requires).
   */
  maxReschedules?: number;
  /** Seconds to wait when a concurrency limit was full, given the reschedule count (1, 2, …). */
  backoff?: (overrated: number) => number;
}

/** A job rescheduled more than `maxReschedules` times. */
export class OverLimitError extends KiqError {
  override name = "OverLimitError";
}

/** The plugin, for `kiq.use(limits({ limits: [...] }))`; on a client it does nothing. */
export function limits(options: LimitsOptions): Plugin {
  if (!options || !Array.isArray(options.limits))
    throw new TypeError("limits({ limits: [...] }) needs an array of limits");
  const rules = options.limits.map(checkRule);
  const names = new Set(rules.map((rule) => rule.name));
  if (names.size !== rules.length) throw new TypeError("limits: two limits have the same name");
  const backoff = options.backoff ?? concurrencyBackoff;
  return definePlugin("limits", (host) => {
    if (host.kind !== "server") return;
    const limiters = new Limiters(host.redis, rules, options.namespace ?? DEFAULT_NAMESPACE);
    const lease = limiters.shortestLeaseSeconds();
    if (lease !== undefined) host.every(lease / 3, () => limiters.renew());
    host.serverMiddleware.use(async ({ item, payload, job }, next) => {
      const jid = String(item.jid);
      const admission = await limiters.acquire(item, jid);
      if (admission.admitted) {
        try {
          return await next();
        } finally {
          await limiters.release(jid, admission.slots);
        }
      }
      const stored = Payload.parse(payload);
      const count = overratedCount(stored) + 1;
      if (options.maxReschedules !== undefined && count > options.maxReschedules)
        throw new OverLimitError(`over its limit ${count - 1} times; giving up to retries`);
      const delay = admission.full ? backoff(count) : admission.waitMs / 1000;
      await reschedule(host.redis, stored, count, delay);
      job.logger.info({ overrated: count, delay: Number(delay.toFixed(3)) }, "over its limit: rescheduled");
    });
  });
}
