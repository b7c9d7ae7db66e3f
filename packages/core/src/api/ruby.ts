// How Ruby reads the values the API reports, so kiq answers as Sidekiq::API does: Strings sort by
// their bytes, and counters go through `to_i`.

import type { JsonValue } from "../wire/json.js";

/**
 * Byte order of the UTF-8 encodings (code point order). JavaScript's default sort compares UTF-16
 * code units, which orders characters beyond U+FFFF differently.
 */
export function compareLikeRuby(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; ) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/** Ruby's `to_i`: the leading integer of a string, the integer part of a number, else 0. */
export function rubyToInteger(value: unknown): number {
  const n = typeof value === "number" ? Math.trunc(value) : Number.parseInt(String(value ?? ""), 10);
  return Number.isNaN(n) ? 0 : n;
}

/** A decoded JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
