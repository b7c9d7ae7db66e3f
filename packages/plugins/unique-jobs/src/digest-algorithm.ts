// The gem's `digest_algorithm` setting (8.0.13+): :legacy is MD5 (the default and the only one
// before 8.0.13), :modern is SHA3-256; any other value raises, as the gem does.

import { createHash } from "node:crypto";

export type DigestAlgorithm = "legacy" | "modern";

export const DEFAULT_DIGEST_ALGORITHM: DigestAlgorithm = "legacy";

const HASH_NAME: Record<DigestAlgorithm, string> = { legacy: "md5", modern: "sha3-256" };

/** Lowercase hex of `text` (UTF-8) under the gem's algorithm name. */
export function hexDigest(algorithm: DigestAlgorithm, text: string): string {
  const name = HASH_NAME[algorithm];
  if (name === undefined)
    throw new Error(`unique-jobs: unknown digest_algorithm ${String(algorithm)} (legacy or modern)`);
  return createHash(name).update(text, "utf8").digest("hex");
}
