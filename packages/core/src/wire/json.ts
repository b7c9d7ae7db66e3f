// JSON as Ruby's json gem reads and writes it. Two things JavaScript's own JSON gets wrong for
// Sidekiq payloads: integers beyond 2^53 (rounded by JSON.parse; kept here as BigInt) and floats
// (Ruby always writes `1.0`, `-0.0`, `1.0e+20`; JSON.stringify writes `1`, `0`, `100000000000000000000`).

import { InvalidJobError } from "../errors.js";
import { RubyFloat } from "./ruby-float.js";

/** A value decoded from a Sidekiq payload without loss. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Parses JSON text; integers outside JavaScript's safe range become BigInt, never rounded. The
 * native parser runs first; only a result holding a number at or beyond 2^53 (a rounded integer,
 * or a float that large) is parsed again by the lossless parser.
 */
export function parseJson(text: string): JsonValue {
  const value = JSON.parse(text) as JsonValue;
  return hasHugeNumber(value) ? new LosslessParser(text).parseDocument() : value;
}

function hasHugeNumber(value: JsonValue): boolean {
  if (typeof value === "number") return value >= Number.MAX_SAFE_INTEGER || value <= Number.MIN_SAFE_INTEGER;
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (const entry of value) if (hasHugeNumber(entry)) return true;
    return false;
  }
  for (const key in value) if (hasHugeNumber(value[key] as JsonValue)) return true;
  return false;
}

/**
 * Writes a value as Ruby's `JSON.generate` does: no whitespace, raw UTF-8, floats in Ruby form.
 * Throws InvalidJobError naming the path (from `root`) of a value JSON cannot carry.
 */
export function generateJson(value: unknown, root = "value"): string {
  return generate(value, root);
}

function generate(value: unknown, path: string): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return formatNumber(value, path);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value))
        return writesLikeRuby(value) ? JSON.stringify(value) : generateArray(value, path);
      if (value instanceof RubyFloat) {
        value.text ??= formatFloat(value.value, path);
        return value.text;
      }
      if (isPlainObject(value))
        return writesLikeRuby(value) ? JSON.stringify(value) : generateObject(value, path);
      throw cannotCarry(path, `a ${value.constructor?.name ?? "non-plain"} object`);
    default:
      throw cannotCarry(path, String(typeof value));
  }
}

function generateArray(values: unknown[], path: string): string {
  let out = "[";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    out += generate(values[i], `${path}[${i}]`);
  }
  return `${out}]`;
}

function generateObject(object: object, path: string): string {
  let out = "{";
  let first = true;
  for (const [key, entry] of Object.entries(object)) {
    if (!first) out += ",";
    first = false;
    out += `${JSON.stringify(key)}:${generate(entry, `${path}.${key}`)}`;
  }
  return `${out}}`;
}

// JSON.stringify writes what Ruby writes for strings, booleans, null, safe integers and floats
// whose shortest form is plain decimal in both languages (1e-4 ≤ |x| < 1e16, not integral): the
// common case, checked by one walk so that only unusual values take the slow writer.
const MIN_PLAIN_FLOAT = 1e-4;
const MAX_PLAIN_FLOAT = 1e16;

function writesLikeRuby(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number": {
      if (Number.isSafeInteger(value)) return !Object.is(value, -0);
      const abs = Math.abs(value);
      return abs >= MIN_PLAIN_FLOAT && abs < MAX_PLAIN_FLOAT && !Number.isInteger(value);
    }
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const entry of value) if (!writesLikeRuby(entry)) return false;
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const key in value) if (!writesLikeRuby((value as Record<string, unknown>)[key])) return false;
      return true;
    }
    default:
      return false;
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function cannotCarry(path: string, what: string): InvalidJobError {
  return new InvalidJobError(
    `${path} is ${what}, which JSON cannot carry to Ruby (use null, booleans, numbers, BigInt, strings, arrays and plain objects)`,
  );
}

/** Safe integers are Ruby Integers; every other number is a Ruby Float (it has lost integer precision anyway). */
function formatNumber(n: number, path: string): string {
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return String(n);
  return formatFloat(n, path);
}

/**
 * Ruby's `Float#to_s`: shortest round-trip digits, fixed notation when the decimal exponent is in
 * [-4, 16), scientific otherwise, always with a fraction (`1.0`) and a signed two-digit exponent.
 */
export function formatFloat(n: number, path = "value"): string {
  if (!Number.isFinite(n)) throw cannotCarry(path, String(n));
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const sign = n < 0 ? "-" : "";
  const [mantissa = "", exp = "0"] = Math.abs(n).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const decpt = Number(exp) + 1; // value = 0.<digits> × 10^decpt
  if (decpt > 0 && decpt <= 16) {
    if (digits.length <= decpt) return `${sign}${digits.padEnd(decpt, "0")}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  if (decpt <= 0 && decpt > -4) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  const e = decpt - 1;
  const frac = digits.length > 1 ? digits.slice(1) : "0";
  return `${sign}${digits[0]}.${frac}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

const SAFE_DIGITS = 15; // any integer of at most 15 digits is below 2^53

class LosslessParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail("unexpected text after the JSON value");
    return value;
  }

  private parseValue(): JsonValue {
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.parseObject();
      case 0x5b: // [
        return this.parseArray();
      case 0x22: // "
        return this.parseString();
      case 0x74: // t
        return this.literal("true", true);
      case 0x66: // f
        return this.literal("false", false);
      case 0x6e: // n
        return this.literal("null", null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.fail("unexpected character");
    }
  }

  private parseObject(): { [key: string]: JsonValue } {
    const object: { [key: string]: JsonValue } = {};
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return object;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail("expected a string key");
      const key = this.parseString();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
      this.pos++;
      // defineProperty so a "__proto__" key stays data, as JSON.parse keeps it.
      Object.defineProperty(object, key, {
        value: this.parseValue(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return object;
      if (c !== 0x2c) this.fail("expected ',' or '}'", this.pos - 1);
    }
  }

  private parseArray(): JsonValue[] {
    const array: JsonValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return array;
    }
    for (;;) {
      array.push(this.parseValue());
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return array;
      if (c !== 0x2c) this.fail("expected ',' or ']'", this.pos - 1);
    }
  }

  private parseString(): string {
    const end = skipString(this.text, this.pos);
    if (end < 0) this.fail("unterminated string");
    const raw = this.text.slice(this.pos, end);
    this.pos = end;
    return raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  private parseNumber(): number | bigint {
    const start = this.pos;
    const end = skipNumber(this.text, start);
    if (end === start) this.fail("bad number");
    this.pos = end;
    const token = this.text.slice(start, end);
    const integer = !/[.eE]/.test(token);
    const digits = token.length - (token.charCodeAt(0) === 0x2d ? 1 : 0);
    if (integer && digits > SAFE_DIGITS) {
      const big = BigInt(token);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(big)
        : big;
    }
    const n = Number(token);
    if (Number.isNaN(n)) this.fail("bad number", start);
    return n;
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail("unexpected word");
    this.pos += word.length;
    return value;
  }

  private skipSpace(): void {
    this.pos = skipSpace(this.text, this.pos);
  }

  private fail(why: string, at = this.pos): never {
    throw new SyntaxError(`Invalid JSON at position ${at}: ${why}`);
  }
}

/** Index just past the JSON whitespace starting at `pos`. */
export function skipSpace(text: string, pos: number): number {
  let i = pos;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** Index just past the string literal that starts at `pos` (on its quote), or -1 if it never ends. */
export function skipString(text: string, pos: number): number {
  let i = pos + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** Index just past the number token at `pos` (the same index if there is none). */
export function skipNumber(text: string, pos: number): number {
  let i = pos;
  for (;;) {
    const c = text.charCodeAt(i);
    // digits, '-', '+', '.', 'e', 'E'
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) i++;
    else return i;
  }
}

/** Index just past the JSON value starting at `pos` (after any whitespace), without decoding it. */
export function skipValue(text: string, pos: number): number {
  const start = skipSpace(text, pos);
  const c = text.charCodeAt(start);
  if (c === 0x22) return skipString(text, start);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    let i = start;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === 0x22) {
        i = skipString(text, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  if (c === 0x74) return text.startsWith("true", start) ? start + 4 : -1;
  if (c === 0x66) return text.startsWith("false", start) ? start + 5 : -1;
  if (c === 0x6e) return text.startsWith("null", start) ? start + 4 : -1;
  const end = skipNumber(text, start);
  return end === start ? -1 : end;
}
