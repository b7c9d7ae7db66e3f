// Where the API reads and writes: a Redis connection and the Sidekiq version whose timestamps it
// writes (only "retry now" and "add to queue" write one, enqueued_at). A Client is a source as it is.

import type { Redis } from "ioredis";
import { DEFAULT_SIDEKIQ_VERSION } from "../client/client.js";
import { KiqError } from "../errors.js";
import { JobReleases, type ReleaseReason } from "../plugin/release.js";
import { detectSidekiqVersion } from "../redis/detect-version.js";
import type { SidekiqVersion } from "../wire/types.js";

export interface ApiOptions {
  redis: Redis;
  /** The format to write: 6, 7 or 8; "detect" (default) asks the live fleet, else 7. */
  sidekiqVersion?: SidekiqVersion | "detect";
}

/** Jobs announced at once when an API call removes many (Queue.clear, JobSet.clear, killAll). */
export const RELEASE_BATCH = 100;

/** A connection that knows its fleet's version: a Client (or another API object's context). */
export interface VersionedRedis {
  readonly redis: Redis;
  sidekiqVersion(): Promise<SidekiqVersion>;
}

/** What every API class is built from: `{ redis, sidekiqVersion? }` or a Client. */
export type ApiSource = ApiOptions | VersionedRedis;

/**
 * Whose job releases to announce: a Client's (its plugins' listeners hear of every job the API
 * deletes or kills, as Ruby's death handlers and sidekiq-unique-jobs' API hooks would).
 */
function releasesOf(source: ApiSource): JobReleases | undefined {
  const releases = (source as { releases?: unknown }).releases;
  return releases instanceof JobReleases ? releases : undefined;
}

/**
 * The connection and the version (resolved once, on first write) behind an API object. It is itself
 * a source, so the objects an API object hands out share its version.
 */
export class ApiContext {
  readonly redis: Redis;
  /** The Client's job releases when the source is a Client (or a context built from one). */
  readonly releases: JobReleases | undefined;
  private readonly resolveVersion: () => Promise<SidekiqVersion>;
  private version: Promise<SidekiqVersion> | undefined;

  constructor(source: ApiSource) {
    this.redis = source.redis;
    this.releases = releasesOf(source);
    const configured = source.sidekiqVersion;
    if (typeof configured === "function") this.resolveVersion = () => configured.call(source);
    else if (configured !== undefined && configured !== "detect") {
      if (![6, 7, 8].includes(configured)) {
        throw new KiqError(`sidekiqVersion must be 6, 7, 8 or "detect", got ${String(configured)}`);
      }
      this.resolveVersion = () => Promise.resolve(configured);
    } else {
      this.resolveVersion = async () => (await detectSidekiqVersion(this.redis)) ?? DEFAULT_SIDEKIQ_VERSION;
    }
  }

  sidekiqVersion(): Promise<SidekiqVersion> {
    this.version ??= this.resolveVersion();
    return this.version;
  }

  /** True when someone listens for released jobs: only then need a removal read what it removes. */
  get announcesReleases(): boolean {
    return (this.releases?.size ?? 0) > 0;
  }

  /**
   * Tells the listeners that these stored jobs left ("deleted" or "dead"), RELEASE_BATCH jobs at a
   * time (their round trips overlap); the first error is thrown once every job was announced.
   */
  async release(payloads: readonly string[], reason: ReleaseReason): Promise<void> {
    const releases = this.releases;
    if (!releases || releases.size === 0) return;
    let failure: unknown;
    for (let start = 0; start < payloads.length; start += RELEASE_BATCH) {
      const batch = payloads.slice(start, start + RELEASE_BATCH);
      for (const result of await Promise.allSettled(
        batch.map((payload) => releases.release(payload, reason)),
      ))
        if (result.status === "rejected") failure ??= result.reason;
    }
    if (failure !== undefined) throw failure;
  }
}
