// The jobs running right now across the fleet (Sidekiq::Workers, alias WorkSet), as each process'
// last heartbeat published them in its running-jobs hash: `<identity>:work`, or `<identity>:workers`
// for a Sidekiq 6.4.1 process (kiq reads both, so a mixed fleet shows whole).

import { legacyWorkersKey, PROCESSES, workKey } from "../redis/keys.js";
import { scanSetMembers } from "../redis/scan.js";
import { generateJson, parseJson } from "../wire/json.js";
import { decodeTimestamp } from "../wire/time.js";
import { JobRecord } from "./job-record.js";
import { compareLikeRuby, isJsonObject, rubyToInteger } from "./ruby.js";
import { ApiContext, type ApiSource } from "./source.js";

/** One running job (Sidekiq::Work). */
export interface WorkRecord {
  /** The process running it. */
  identity: string;
  /** Its thread (kiq: slot) id, the hash field. */
  tid: string;
  /** The queue it was fetched from. */
  queue: string;
  /** When it started. */
  runAt: Date;
  /** The job's payload string exactly as fetched. */
  payload: string;
  /** The job, decoded from `payload` without loss. */
  job: JobRecord;
}

export class Workers {
  private readonly context: ApiContext;

  constructor(source: ApiSource) {
    this.context = new ApiContext(source);
  }

  /** Every running job, oldest start first (processes taken in identity order). */
  async list(): Promise<WorkRecord[]> {
    const { redis } = this.context;
    const identities = (await scanSetMembers(redis, PROCESSES)).sort(compareLikeRuby);
    const pipeline = redis.pipeline();
    for (const identity of identities)
      pipeline.hgetall(workKey(identity)).hgetall(legacyWorkersKey(identity));
    const replies = (await pipeline.exec()) ?? [];
    const works: WorkRecord[] = [];
    identities.forEach((identity, i) => {
      const [workError, work] = replies[2 * i] ?? [null, {}];
      const [legacyError, legacy] = replies[2 * i + 1] ?? [null, {}];
      if (workError || legacyError) throw workError ?? legacyError;
      // A kiq process in 6.x format writes both hashes alike; a Ruby one writes only one of them.
      const running = hasEntries(work) ? work : legacy;
      for (const [tid, json] of Object.entries(running as Record<string, string>)) {
        const record = this.record(identity, tid, json);
        if (record) works.push(record);
      }
    });
    return works.sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WorkRecord> {
    yield* await this.list();
  }

  /** Running jobs as the processes' last beats counted them (the sum of their `busy` fields). */
  async size(): Promise<number> {
    const { redis } = this.context;
    const identities = await scanSetMembers(redis, PROCESSES);
    if (identities.length === 0) return 0;
    const pipeline = redis.pipeline();
    for (const identity of identities) pipeline.hget(identity, "busy");
    let total = 0;
    for (const [error, busy] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      total += rubyToInteger(busy);
    }
    return total;
  }

  /** The running job with this jid, or null. */
  async findWork(jid: string): Promise<WorkRecord | null> {
    return (await this.list()).find((work) => work.job.jid === jid) ?? null;
  }

  /** One hash value, `{"queue", "payload", "run_at"}`; null for an empty or unreadable one. */
  private record(identity: string, tid: string, json: string): WorkRecord | null {
    if (json === "") return null;
    let value: unknown;
    try {
      value = parseJson(json);
    } catch {
      return null;
    }
    if (!isJsonObject(value)) return null;
    // The payload is a JSON string inside the JSON; readers accept an object too (older writers).
    const payload = typeof value.payload === "string" ? value.payload : generateJson(value.payload ?? null);
    const queue = String(value.queue ?? "");
    const runAt = typeof value.run_at === "number" ? decodeTimestamp(value.run_at) : 0;
    return {
      identity,
      tid,
      queue,
      runAt: new Date(runAt),
      payload,
      job: new JobRecord(this.context, payload),
    };
  }
}

function hasEntries(hash: unknown): boolean {
  return hash !== null && typeof hash === "object" && Object.keys(hash).length > 0;
}
