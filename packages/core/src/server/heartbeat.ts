// The process heartbeat (Sidekiq's launcher ❤): every few seconds flush the stat counters, rewrite
// the running-jobs hash, and refresh the process hash that puts this process on the Web UI's Busy
// page; the same round trip pops one Quiet/Stop signal the Web UI left for it.

import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { KiqError } from "../errors.js";
import { legacyWorkersKey, PROCESSES, signalsKey, workKey } from "../redis/keys.js";
import { formatFloat } from "../wire/json.js";
import type { SidekiqVersion } from "../wire/types.js";
import { infoJson, type ProcessInfo } from "./process-info.js";
import { type ProcessStats, queueStatsFlush } from "./stats.js";
import { type Work, workJson } from "./work.js";

/** Pause between beats: Sidekiq 6 beats every 5 s, 7 and 8 every 10 s. */
export const BEAT_PAUSE: Readonly<Record<SidekiqVersion, number>> = { 6: 5_000, 7: 10_000, 8: 10_000 };
/** Seconds the process hash and running-jobs hash outlive the last beat. */
export const HEARTBEAT_TTL = 60;
/** Redis round trips above this many µs are a disaster (Sidekiq's RTT_WARNING_LEVEL)… */
export const RTT_WARNING_LEVEL = 50_000;
/** …when this many readings in a row are. */
export const RTT_READINGS = 5;

export interface HeartbeatOptions {
  redis: Redis;
  /** The fleet's format: 6 also writes `<id>:workers` (6.4.1's name) and sends stats every beat. */
  sidekiqVersion: SidekiqVersion;
  identity: string;
  info: ProcessInfo;
  stats: ProcessStats;
  /** The jobs running right now. */
  running(): Iterable<Work>;
  /** True once the process is quiet or stopping. */
  isQuiet(): boolean;
  /** A signal name popped from `<identity>-signals` ("TSTP", "TERM", …). */
  onSignal(signal: string): void;
  /** Called after a beat that found no process hash: the first beat, or after one expired in an outage. */
  onFirstBeat?(): void;
  /** Called after every beat that reached Redis (Sidekiq's `beat` event). */
  onBeat?(): void;
  logger?: Logger;
  /** Pause between beats in ms; default BEAT_PAUSE of the version. */
  intervalMs?: number;
}

export class Heartbeat {
  private readonly redis: Redis;
  private readonly version: SidekiqVersion;
  private readonly identity: string;
  /** Written once: the info never changes during a process' life (Ruby caches it the same way). */
  private readonly info: string;
  private readonly concurrency: number;
  private readonly workKeys: readonly string[];
  private readonly intervalMs: number;
  private readonly rttReadings: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;

  constructor(private readonly options: HeartbeatOptions) {
    if (options.info.identity !== options.identity) {
      throw new KiqError(
        `info.identity ${options.info.identity} differs from identity ${options.identity}: the Web UI would signal the wrong key`,
      );
    }
    this.redis = options.redis;
    this.version = options.sidekiqVersion;
    this.identity = options.identity;
    this.info = infoJson(options.info, this.version);
    this.concurrency = options.info.concurrency;
    // A 6.x fleet may mix 6.4.1 (reads :workers) and 6.4.2+ (reads :work) Web UIs: feed both.
    this.workKeys =
      this.version === 6
        ? [legacyWorkersKey(this.identity), workKey(this.identity)]
        : [workKey(this.identity)];
    this.intervalMs = options.intervalMs ?? BEAT_PAUSE[this.version];
  }

  /** The cached `info` JSON this process writes. */
  get infoJson(): string {
    return this.info;
  }

  /** Beats now, then every interval (measured from the end of a beat, as Ruby sleeps after each). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.beat();
    this.schedule();
  }

  /** Stops beating; resolves once a beat in progress has finished. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** One beat. Never rejects: Redis errors are logged and the next beat tries again. */
  beat(): Promise<void> {
    this.inFlight ??= this.beatOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * The exit step: stop beating, flush the stats, and leave the process list (SREM processes,
   * UNLINK the running-jobs hash). The process hash is left to expire, as Ruby leaves it.
   */
  async clear(): Promise<void> {
    await this.stop();
    const counts = this.options.stats.take();
    const flush = counts.processed + counts.failed > 0;
    const pipeline = this.redis.pipeline();
    // 7/8 flush just before leaving; 6.4.1 flushes in an exit hook just after.
    if (flush && this.version !== 6) queueStatsFlush(pipeline, counts);
    pipeline.srem(PROCESSES, this.identity);
    for (const key of this.workKeys) pipeline.unlink(key);
    if (flush && this.version === 6) queueStatsFlush(pipeline, counts);
    try {
      throwFirstError(await pipeline.exec());
    } catch (err) {
      // Best effort, as in Ruby: the hash expires within a minute and Ruby prunes the set then.
      this.options.logger?.warn({ err, counts }, "could not clear the heartbeat");
    }
  }

  private schedule(): void {
    if (!this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.beat().then(() => this.schedule());
    }, this.intervalMs);
    // The heartbeat alone must not keep a process alive.
    this.timer.unref();
  }

  private async beatOnce(): Promise<void> {
    const counts = this.options.stats.take();
    let flushed = false;
    try {
      const work = [...this.options.running()];
      await this.writeWork(work, counts);
      flushed = true;
      const rtt = await this.checkRtt();
      const signal = await this.writeProcess(work.length, rtt);
      if (signal !== null) {
        this.options.logger?.info({ signal }, "signal from Redis");
        this.safely(() => this.options.onSignal(signal), "onSignal");
      }
    } catch (err) {
      this.options.logger?.error({ err }, "heartbeat failed");
      // Don't lose the counts: the next beat sends them.
      if (!flushed) this.options.stats.restore(counts);
    }
  }

  /** Stats flush and running-jobs hash, rewritten from scratch. */
  private async writeWork(work: Work[], counts: { processed: number; failed: number }): Promise<void> {
    const values = work.flatMap((w) => [w.tid, workJson(w)]);
    if (this.version === 6) {
      // 6.x: one MULTI, stats sent even when zero, EXPIRE even with no jobs (as observed on 6.4.1).
      const tx = this.redis.multi();
      queueStatsFlush(tx, counts);
      for (const key of this.workKeys) {
        tx.unlink(key);
        if (values.length > 0) tx.hset(key, ...values);
        tx.expire(key, HEARTBEAT_TTL);
      }
      throwFirstError(await tx.exec());
      return;
    }
    if (counts.processed + counts.failed > 0) {
      const pipeline = this.redis.pipeline();
      queueStatsFlush(pipeline, counts);
      throwFirstError(await pipeline.exec());
    }
    const tx = this.redis.multi();
    for (const key of this.workKeys) {
      tx.unlink(key);
      if (values.length > 0) {
        tx.hset(key, ...values);
        tx.expire(key, HEARTBEAT_TTL);
      }
    }
    throwFirstError(await tx.exec());
  }

  /** PING round trip in µs; warns when every recent reading is a disaster, as Sidekiq does. */
  private async checkRtt(): Promise<number> {
    const started = process.hrtime.bigint();
    await this.redis.ping();
    const rtt = Number((process.hrtime.bigint() - started) / 1000n);
    this.rttReadings.push(rtt);
    if (this.rttReadings.length > RTT_READINGS) this.rttReadings.shift();
    if (this.rttReadings.length === RTT_READINGS && this.rttReadings.every((r) => r > RTT_WARNING_LEVEL)) {
      this.options.logger?.warn(
        { rttUs: [...this.rttReadings] },
        "Redis round trips are very slow (ideally < 1000 µs): is Redis far away or this process CPU-saturated?",
      );
      this.rttReadings.length = 0;
    }
    return rtt;
  }

  /** The process hash and membership; returns the popped signal, if any. */
  private async writeProcess(busy: number, rtt: number): Promise<string | null> {
    const fields: (string | number)[] = ["info", this.info];
    // 8.1.2+ read the thread count only from this field.
    // 8.1.2+ readers take the thread count only from this field; older ones ignore it, so every
    // version writes it (a 7→8 rolling upgrade then never shows kiq with 0 threads).
    fields.push("concurrency", this.concurrency);
    fields.push(
      "busy",
      busy,
      "beat",
      formatFloat(Date.now() / 1000),
      "rtt_us",
      rtt,
      "quiet",
      String(this.options.isQuiet()),
      "rss",
      Math.round(process.memoryUsage.rss() / 1024),
    );
    const replies = await this.redis
      .multi()
      .sadd(PROCESSES, this.identity)
      .exists(this.identity)
      .hset(this.identity, ...fields)
      .expire(this.identity, HEARTBEAT_TTL)
      .rpop(signalsKey(this.identity))
      .exec();
    throwFirstError(replies);
    const exists = replies?.[1]?.[1];
    if (exists === 0) this.safely(() => this.options.onFirstBeat?.(), "onFirstBeat");
    this.safely(() => this.options.onBeat?.(), "onBeat");
    const signal = replies?.[4]?.[1];
    return typeof signal === "string" ? signal : null;
  }

  private safely(run: () => void, what: string): void {
    try {
      run();
    } catch (err) {
      this.options.logger?.error({ err }, `${what} failed`);
    }
  }
}

/** ioredis reports per-command errors inside the replies; a discarded MULTI returns null. */
function throwFirstError(replies: [Error | null, unknown][] | null): void {
  if (replies === null) throw new KiqError("MULTI was discarded");
  for (const [err] of replies) if (err) throw err;
}
