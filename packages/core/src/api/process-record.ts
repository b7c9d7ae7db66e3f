// One live Sidekiq (or kiq) process as its heartbeat describes it (Sidekiq::Process): the `info`
// JSON written at start plus the fields refreshed every beat, and the Web UI's Quiet/Stop buttons.

import { KiqError } from "../errors.js";
import { signalsKey } from "../redis/keys.js";
import type { JsonValue } from "../wire/json.js";
import { isJsonObject, rubyToInteger } from "./ruby.js";
import type { ApiContext } from "./source.js";

/** The process-hash fields read besides `info`, in HMGET order. */
export const PROCESS_FIELDS = ["info", "concurrency", "busy", "beat", "quiet", "rss", "rtt_us"] as const;
/** Seconds an unread signal list lives (Sidekiq's EXPIRE 60). */
export const SIGNALS_TTL = 60;
/** Signal names a process pops from `<identity>-signals`. */
const QUIET = "TSTP";
const STOP = "TERM";
const DUMP_THREADS = "TTIN";

type Info = { [key: string]: JsonValue };

export class ProcessRecord {
  /** `hostname:pid:nonce`, the key of its heartbeat hash. */
  readonly identity: string;
  /** The `info` JSON as written (hostname, started_at, pid, tag, queues, labels, capsules, …). */
  readonly info: Readonly<Info>;
  /** Jobs it can run at once: the `concurrency` hash field (8.1.2+), else info's. */
  readonly concurrency: number;
  /** Jobs running at its last beat. */
  readonly busy: number;
  /** Epoch seconds of its last beat. */
  readonly beat: number;
  /** True once it is quiet or stopping (Ruby's `stopping?`; the hash field `quiet`). */
  readonly stopping: boolean;
  /** Resident memory in KB. */
  readonly rss: number;
  /** Round trip of its last Redis PING, µs. */
  readonly rttUs: number;
  private readonly context: ApiContext;

  /** `fields`: the HMGET replies for PROCESS_FIELDS, `info` parsed. */
  constructor(context: ApiContext, info: Info, fields: readonly (string | null)[]) {
    const [, concurrency, busy, beat, quiet, rss, rttUs] = fields;
    this.context = context;
    this.info = info;
    this.identity = String(info.identity);
    // Ruby 8.1.2+ reads only the field (a 6.x/7.x process then shows 0); older Rubies only info's.
    this.concurrency = concurrency == null ? rubyToInteger(info.concurrency) : rubyToInteger(concurrency);
    this.busy = rubyToInteger(busy);
    this.beat = Number.parseFloat(beat ?? "") || 0;
    this.stopping = quiet === "true";
    this.rss = rubyToInteger(rss);
    this.rttUs = rubyToInteger(rttUs);
  }

  get hostname(): string {
    return String(this.info.hostname ?? "");
  }

  get pid(): number {
    return rubyToInteger(this.info.pid);
  }

  get tag(): string | undefined {
    return typeof this.info.tag === "string" ? this.info.tag : undefined;
  }

  get labels(): string[] {
    return Array.isArray(this.info.labels) ? this.info.labels.map(String) : [];
  }

  /** The queues it works: from `capsules` when present (8.0.9+), else `queues`. */
  get queues(): string[] {
    const capsules = this.info.capsules;
    if (isJsonObject(capsules)) {
      const names = Object.values(capsules).flatMap((capsule) =>
        isJsonObject(capsule) && isJsonObject(capsule.weights) ? Object.keys(capsule.weights) : [],
      );
      return [...new Set(names)];
    }
    return Array.isArray(this.info.queues) ? this.info.queues.map(String) : [];
  }

  /** Its Sidekiq version (7.0.2+; kiq writes `<sidekiq>+kiq.<kiq>`); undefined for 6.x. */
  get version(): string | undefined {
    return typeof this.info.version === "string" ? this.info.version : undefined;
  }

  /** Embedded in another process (7.x+): it cannot be quieted or stopped from outside. */
  get embedded(): boolean {
    return this.info.embedded === true;
  }

  /** Epoch seconds when it started. */
  get startedAt(): number {
    return Number(this.info.started_at ?? 0);
  }

  /** Asks it to stop fetching jobs (TSTP); it finishes those it runs. Acted on at its next beat. */
  quiet(): Promise<void> {
    return this.signal(QUIET, "quiet");
  }

  /** Asks it to shut down (TERM) within its timeout. Acted on at its next beat. */
  stop(): Promise<void> {
    return this.signal(STOP, "stop");
  }

  /** Asks it to log what every thread (kiq: every job) is doing (TTIN). */
  dumpThreads(): Promise<void> {
    return this.signal(DUMP_THREADS);
  }

  /** One MULTI: LPUSH `<identity>-signals` and EXPIRE it, so an unread signal goes away. */
  private async signal(name: string, refusedWhenEmbedded?: string): Promise<void> {
    if (refusedWhenEmbedded && this.embedded) {
      throw new KiqError(`Can't ${refusedWhenEmbedded} an embedded process (${this.identity})`);
    }
    const key = signalsKey(this.identity);
    const replies = await this.context.redis.multi().lpush(key, name).expire(key, SIGNALS_TTL).exec();
    for (const [error] of replies ?? []) if (error) throw error;
  }
}
