// The digest sidekiq-unique-jobs 7.x/8.x computes for a job (lib/sidekiq_unique_jobs/lock_digest.rb):
// the present keys of class, queue, lock_args, apartment — minus queue when unique across queues,
// minus class when unique across workers — sorted by key, written as a JSON array of pairs the
// way Ruby's JSON.generate writes it, hashed, and prefixed with `<lock_prefix>:`.

import { generateJson } from "@kiq/core";
import { DIGEST_KEYS } from "./constants.js";
import { type DigestAlgorithm, hexDigest } from "./digest-algorithm.js";

/** The payload fields the digest reads. */
export interface DigestSource {
  class?: unknown;
  queue?: unknown;
  lock_args?: unknown;
  apartment?: unknown;
  lock_prefix?: unknown;
  unique_across_queues?: unknown;
  unique_across_workers?: unknown;
  [key: string]: unknown;
}

/** Ruby truthiness: everything but nil and false. */
export function rubyTruthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/** The JSON text the gem hashes, e.g. `[["class","UJ"],["lock_args",[1,"a"]],["queue","u"]]`. */
export function digestText(item: DigestSource): string {
  const pairs: [string, unknown][] = [];
  for (const key of DIGEST_KEYS) {
    if (!(key in item) || item[key] === undefined) continue;
    if (key === "queue" && rubyTruthy(item.unique_across_queues)) continue;
    if (key === "class" && rubyTruthy(item.unique_across_workers)) continue;
    pairs.push([key, item[key]]);
  }
  return generateJson(pairs, "lock_digest");
}

/** `<lock_prefix>:<hex>` for the item; `prefix` is the item's `lock_prefix` already resolved. */
export function lockDigest(item: DigestSource, prefix: string, algorithm: DigestAlgorithm): string {
  return `${prefix}:${hexDigest(algorithm, digestText(item))}`;
}
