// Fair sharing of a queue among tenants, shared by every worker through Redis: each tenant may run
// at most `maxConcurrent` jobs at once. A job fetched while its tenant is at its cap is parked (its
// stored string moved to a per-tenant list, not failed and not waited on), and released to the push
// end of its queue, with a slot reserved for it, when one of that tenant's jobs finishes, or by a
// sweep (every `sweepEvery` s) that serves the parked lists least recently served first. So one
// tenant's flood is fetched once and parked, and every other tenant's jobs keep their place in line.

import { keyspace, type PluginHost, QUEUES, queueKey, withScripts } from "@kiq/core";
import type { TenantId } from "./current-tenant.js";
import admitOrParkLua from "./lua/admit-or-park.lua";
import releaseParkedLua from "./lua/release-parked.lua";

/** Seconds a running job holds its slot without renewal; a crashed worker's slots return after it. */
export const DEFAULT_LEASE = 30;
/** Seconds between sweeps of the parked lists. */
export const DEFAULT_SWEEP_EVERY = 1;
export const DEFAULT_NAMESPACE = "kiq-tenant";

export interface FairShareOptions {
  /** Running jobs per tenant, across every worker. */
  maxConcurrent: number;
  /** Seconds a slot is held without renewal (workers renew theirs every lease/3). Default 30. */
  lease?: number;
  /** Seconds between sweeps releasing parked jobs whose tenant has room. Default 1. */
  sweepEvery?: number;
  /** Prefix of the plugin's keys. Default "kiq-tenant". */
  namespace?: string;
}

type Redis = PluginHost["redis"];
type Logger = PluginHost["logger"];

interface FairShareScripts {
  kiqTenantAdmit(...keysThenArgs: (string | number)[]): Promise<number>;
  kiqTenantRelease(...keysThenArgs: (string | number)[]): Promise<number>;
}

export class FairShare {
  readonly maxConcurrent: number;
  readonly leaseSeconds: number;
  readonly sweepEvery: number;
  private readonly redis: Redis & FairShareScripts;
  private readonly key: ReturnType<typeof keyspace>;
  private readonly parkedPrefix: string;
  /** Slots this worker holds: jid → its tenant's running set, renewed until the job ends. */
  private readonly held = new Map<string, string>();

  constructor(
    redis: Redis,
    options: FairShareOptions,
    private readonly logger: Logger,
  ) {
    const { maxConcurrent, lease = DEFAULT_LEASE, sweepEvery = DEFAULT_SWEEP_EVERY } = options;
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1)
      throw new TypeError(`fairShare.maxConcurrent must be an integer ≥ 1, got ${String(maxConcurrent)}`);
    if (!(lease > 0))
      throw new TypeError(`fairShare.lease must be a positive number of seconds, got ${lease}`);
    if (!(sweepEvery > 0))
      throw new TypeError(`fairShare.sweepEvery must be a positive number of seconds, got ${sweepEvery}`);
    this.maxConcurrent = maxConcurrent;
    this.leaseSeconds = lease;
    this.sweepEvery = sweepEvery;
    this.key = keyspace(options.namespace ?? DEFAULT_NAMESPACE);
    this.parkedPrefix = `${this.key("parked")}:`;
    this.redis = withScripts<FairShareScripts>(redis, [
      { name: "kiqTenantAdmit", keys: 4, lua: admitOrParkLua },
      { name: "kiqTenantRelease", keys: 6, lua: releaseParkedLua },
    ]);
  }

  /** Takes a slot for the job (true), or parks its payload until its tenant has room (false). */
  async admit(tenant: TenantId, jid: string, queue: string, payload: string): Promise<boolean> {
    const running = this.runningKey(tenant);
    const parked = this.parkedKey(queue, tenant);
    const admitted = await this.redis.kiqTenantAdmit(
      running,
      parked,
      `${parked}:jids`,
      this.ringKey(),
      jid,
      this.leaseMs(),
      this.maxConcurrent,
      payload,
    );
    if (admitted === 1) this.held.set(jid, running);
    return admitted === 1;
  }

  /** Frees the job's slot and releases the tenant's next parked job of that queue, if any. */
  async finish(tenant: TenantId, jid: string, queue: string): Promise<void> {
    this.held.delete(jid);
    await this.release(tenant, queue, jid, 1);
  }

  /** Releases parked jobs of every tenant with room, least recently served first; returns how many. */
  async sweep(): Promise<number> {
    let released = 0;
    for (const list of await this.redis.zrange(this.ringKey(), 0, -1)) {
      const parts = list.startsWith(this.parkedPrefix) ? list.slice(this.parkedPrefix.length).split(":") : [];
      if (parts.length !== 2) {
        this.logger.warn({ key: list }, "tenant: not a parked list; left alone");
        continue;
      }
      const [queue, tenant] = parts.map(decodeURIComponent) as [string, string];
      released += await this.release(tenant, queue, "", this.maxConcurrent);
    }
    return released;
  }

  /** Extends the lease of every slot this worker holds. */
  async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const [seconds, micros] = await this.redis.time(); // the scripts' clock, not this host's
    const until = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + this.leaseMs();
    const pipeline = this.redis.pipeline();
    for (const [jid, running] of this.held) {
      pipeline.zadd(running, "XX", until, jid);
      pipeline.pexpire(running, this.leaseMs());
    }
    await pipeline.exec();
  }

  private release(tenant: TenantId, queue: string, finished: string, max: number): Promise<number> {
    const parked = this.parkedKey(queue, tenant);
    return this.redis.kiqTenantRelease(
      this.runningKey(tenant),
      parked,
      `${parked}:jids`,
      queueKey(queue),
      QUEUES,
      this.ringKey(),
      finished,
      this.leaseMs(),
      this.maxConcurrent,
      queue,
      max,
    );
  }

  private leaseMs(): number {
    return Math.round(this.leaseSeconds * 1000);
  }

  // Parts are URI-encoded so that a ":" in a queue or tenant name cannot make two keys collide.
  private runningKey(tenant: TenantId): string {
    return this.key("running", encodeURIComponent(String(tenant)));
  }

  private parkedKey(queue: string, tenant: TenantId): string {
    return this.key("parked", encodeURIComponent(queue), encodeURIComponent(String(tenant)));
  }

  private ringKey(): string {
    return this.key("parked-lists");
  }
}
