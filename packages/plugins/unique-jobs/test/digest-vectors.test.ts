// The digest of the 11 items in ../shared/spec/vectors/unique-jobs-digests.json (gem 8.1.0), both algorithms.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SHARED_DIR } from "../../../../test/support/ruby.js";
import { lockDigest } from "../src/index.js";
import { parseRubyJson } from "./support/ruby-json.js";

interface Vector {
  item_json: string;
  legacy_md5: string;
  modern_sha3_256: string;
}

const VECTORS_PATH = join(SHARED_DIR, "spec", "vectors", "unique-jobs-digests.json");
const vectors = (JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as { vectors: Vector[] }).vectors;

describe("lock_digest against the gem's vectors", () => {
  it("has all 11 vectors", () => expect(vectors).toHaveLength(11));

  it.each(vectors.map((v, i) => [i, v] as const))("vector %i", (_i, vector) => {
    const item = parseRubyJson(vector.item_json);
    const prefix = String(item.lock_prefix);
    expect(lockDigest(item, prefix, "legacy")).toBe(vector.legacy_md5);
    expect(lockDigest(item, prefix, "modern")).toBe(vector.modern_sha3_256);
  });
});
