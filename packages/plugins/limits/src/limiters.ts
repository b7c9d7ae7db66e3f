// The limits shared by every worker through Redis: one script call checks and takes all the limits
// a job is under (see lua/acquire-limits.lua); a worker gives its concurrency slots back when the
// job ends and renews their leases while it runs.

import { type JobItem, keyspace, type PluginHost, withScripts } from "@kiq/core";
import type { CheckedRule } from "./limit-rule.js";
import acquireLimitsLua from "./lua/acquire-limits.lua";

type Redis = PluginHost["redis"];

export const DEFAULT_NAMESPACE = "kiq-limits";

/** A job admitted (holding these concurrency slots), or to come back later. */
export type Admission =
  | { admitted: true; slots: string[] }
  /** `waitMs` until its reserved rate token; `full` when a concurrency limit had no room. */
  | { admitted: false; waitMs: number; full: boolean };

interface LimitScripts {
  kiqAcquireLimits(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
}

export class Limiters {
  private readonly redis: Redis & LimitScripts;
  private readonly key: ReturnType<typeof keyspace>;
  /** Concurrency slots held by this worker (by running set and jid), renewed until each job ends. */
  private readonly held = new Map<string, { slot: string; jid: string; leaseMs: number }>();

  constructor(
    redis: Redis,
    private readonly rules: readonly CheckedRule[],
    namespace = DEFAULT_NAMESPACE,
  ) {
    this.redis = withScripts<LimitScripts>(redis, [{ name: "kiqAcquireLimits", lua: acquireLimitsLua }]);
    this.key = keyspace(namespace);
  }

  /** Checks and takes every limit `item` is under; admitted at once when none applies. */
  async acquire(item: JobItem, jid: string): Promise<Admission> {
    const keys: string[] = [];
    const args: (string | number)[] = [jid];
    const slots: string[] = [];
    const leases: number[] = [];
    for (const rule of this.rules) {
      const key = rule.key(item);
      if (key === undefined) continue;
      const base = key === "" ? this.key(rule.name) : this.key(rule.name, encodeURIComponent(String(key)));
      if (rule.rate) {
        keys.push(`${base}:bucket`, `${base}:reserved`);
        args.push("rate", rule.rate.perMs, rule.rate.burst);
      }
      if (rule.concurrency) {
        keys.push(`${base}:running`);
        args.push("concurrency", rule.concurrency.limit, rule.concurrency.leaseMs);
        slots.push(`${base}:running`);
        leases.push(rule.concurrency.leaseMs);
      }
    }
    if (keys.length === 0) return { admitted: true, slots };
    const [admitted, waitMs = 0, full = 0] = await this.redis.kiqAcquireLimits(keys.length, ...keys, ...args);
    if (admitted !== 1) return { admitted: false, waitMs, full: full === 1 };
    for (const [i, slot] of slots.entries()) {
      this.held.set(`${slot} ${jid}`, { slot, jid, leaseMs: leases[i] as number });
    }
    return { admitted: true, slots };
  }

  /** Gives back the job's concurrency slots. */
  async release(jid: string, slots: readonly string[]): Promise<void> {
    if (slots.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const slot of slots) {
      this.held.delete(`${slot} ${jid}`);
      pipeline.zrem(slot, jid);
    }
    await pipeline.exec();
  }

  /** Extends the lease of every slot this worker holds (on Redis' clock, as the script keeps them). */
  async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const [seconds, micros] = await this.redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const pipeline = this.redis.pipeline();
    for (const { slot, jid, leaseMs } of this.held.values()) {
      pipeline.zadd(slot, "XX", now + leaseMs, jid);
      pipeline.pexpire(slot, leaseMs);
    }
    await pipeline.exec();
  }

  /** The shortest lease among the rules, for the renewal period; undefined without concurrency rules. */
  shortestLeaseSeconds(): number | undefined {
    const leases = this.rules.flatMap((rule) => (rule.concurrency ? [rule.concurrency.leaseMs / 1000] : []));
    return leases.length > 0 ? Math.min(...leases) : undefined;
  }
}
