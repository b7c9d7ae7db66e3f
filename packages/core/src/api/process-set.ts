// The live processes, Ruby's and kiq's (Sidekiq::ProcessSet): the members of `processes` whose
// heartbeat hash still exists, as the Web UI's Busy page lists them.

import { PROCESSES } from "../redis/keys.js";
import { scanSetMembers } from "../redis/scan.js";
import { cleanupProcesses } from "../server/process-cleanup.js";
import { parseJson } from "../wire/json.js";
import { PROCESS_FIELDS, ProcessRecord } from "./process-record.js";
import { compareLikeRuby, isJsonObject } from "./ruby.js";
import { ApiContext, type ApiSource } from "./source.js";

export class ProcessSet {
  private readonly context: ApiContext;

  constructor(source: ApiSource) {
    this.context = new ApiContext(source);
  }

  /**
   * Removes members whose heartbeat hash has expired (they died without leaving); returns how many.
   * At most once a minute across the fleet (the `process_cleanup` lock, as Sidekiq 6.5.2+ take it).
   */
  cleanup(): Promise<number> {
    return cleanupProcesses(this.context.redis);
  }

  /**
   * Every live process, sorted by identity. Like `Sidekiq::ProcessSet.new`, it first prunes stale
   * members (`cleanup: false` skips that); a member whose hash expired meanwhile is left out.
   */
  async list({ cleanup = true }: { cleanup?: boolean } = {}): Promise<ProcessRecord[]> {
    if (cleanup) await this.cleanup();
    const identities = (await scanSetMembers(this.context.redis, PROCESSES)).sort(compareLikeRuby);
    const pipeline = this.context.redis.pipeline();
    for (const identity of identities) pipeline.hmget(identity, ...PROCESS_FIELDS);
    const processes: ProcessRecord[] = [];
    for (const [error, fields] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const record = this.record(fields as (string | null)[]);
      if (record) processes.push(record);
    }
    return processes;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ProcessRecord> {
    yield* await this.list();
  }

  /** One process by identity, or null when it is not a live member (Ruby's `ProcessSet[identity]`). */
  async get(identity: string): Promise<ProcessRecord | null> {
    const replies = await this.context.redis
      .multi()
      .sismember(PROCESSES, identity)
      .hmget(identity, ...PROCESS_FIELDS)
      .exec();
    const [membership, hash] = replies ?? [];
    const error = membership?.[0] ?? hash?.[0];
    if (error) throw error;
    return membership?.[1] === 1 ? this.record(hash?.[1] as (string | null)[]) : null;
  }

  /** Members of `processes`, not pruned: may count a process that died a moment ago. */
  size(): Promise<number> {
    return this.context.redis.scard(PROCESSES);
  }

  /** Jobs the live processes can run at once. */
  async totalConcurrency(): Promise<number> {
    return (await this.list()).reduce((total, p) => total + p.concurrency, 0);
  }

  /** Resident memory of the live processes, KB. */
  async totalRss(): Promise<number> {
    return (await this.list()).reduce((total, p) => total + p.rss, 0);
  }

  /** A process from its HMGET replies; null when its hash is gone or its info unreadable. */
  private record(fields: (string | null)[]): ProcessRecord | null {
    const [info] = fields;
    if (info == null) return null;
    let parsed: unknown;
    try {
      parsed = parseJson(info);
    } catch {
      return null; // Ruby's Busy page would fail here; kiq leaves out what it cannot read
    }
    return isJsonObject(parsed) ? new ProcessRecord(this.context, parsed, fields) : null;
  }
}
