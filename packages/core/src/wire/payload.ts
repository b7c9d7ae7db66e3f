// A stored job payload that can be edited field by field while every field kiq does not touch
// (and the args text above all) keeps the exact bytes Ruby wrote: `1.0`, `-0.0`, big integers and
// escapes survive a move to the retry or dead set and back.

import { MalformedPayloadError } from "../errors.js";
import { generateJson, type JsonValue, parseJson, skipSpace, skipString, skipValue } from "./json.js";
import type { JobItem } from "./types.js";

interface Field {
  key: string;
  /** The key exactly as written, quotes and escapes included. */
  keyText: string;
  /** The value exactly as written, or as kiq wrote it after an edit. */
  valueText: string;
}

export class Payload {
  private fields: Field[] | undefined;
  private edited = false;
  private decoded: JobItem | undefined;

  private constructor(private readonly original: string) {}

  /** Wraps a stored payload string. Throws MalformedPayloadError unless it is a JSON object. */
  static parse(raw: string): Payload {
    const payload = new Payload(raw);
    payload.item; // decode eagerly so bad JSON fails here, where the caller expects it
    return payload;
  }

  /** The whole job hash, decoded without loss (BigInt beyond 2^53). Do not mutate it. */
  get item(): JobItem {
    if (this.decoded === undefined) {
      let value: JsonValue;
      try {
        value = parseJson(this.edited ? this.toString() : this.original);
      } catch (error) {
        throw new MalformedPayloadError(`job payload is not valid JSON: ${(error as Error).message}`);
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new MalformedPayloadError("job payload is not a JSON object");
      }
      this.decoded = value as JobItem;
    }
    return this.decoded;
  }

  /** The payload string as stored (unchanged) or rebuilt with the edits. */
  toString(): string {
    if (!this.edited || this.fields === undefined) return this.original;
    let out = "{";
    for (let i = 0; i < this.fields.length; i++) {
      const field = this.fields[i] as Field;
      if (i > 0) out += ",";
      out += `${field.keyText}:${field.valueText}`;
    }
    return `${out}}`;
  }

  get(key: string): JsonValue | undefined {
    return this.item[key];
  }

  /** Sets a field: an existing key keeps its position (as a Ruby Hash does), a new one goes last. */
  set(key: string, value: unknown): this {
    const valueText = generateJson(value);
    const fields = this.splitFields();
    const existing = findLast(fields, key);
    if (existing) existing.valueText = valueText;
    else fields.push({ key, keyText: JSON.stringify(key), valueText });
    return this.touch();
  }

  delete(key: string): this {
    const fields = this.splitFields();
    const kept = fields.filter((f) => f.key !== key);
    if (kept.length !== fields.length) {
      this.fields = kept;
      this.touch();
    }
    return this;
  }

  /** A copy that can be edited independently. */
  clone(): Payload {
    return Payload.parse(this.toString());
  }

  private touch(): this {
    this.edited = true;
    this.decoded = undefined;
    return this;
  }

  private splitFields(): Field[] {
    if (this.fields === undefined) this.fields = splitTopLevel(this.original);
    return this.fields;
  }
}

function findLast(fields: Field[], key: string): Field | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (fields[i]?.key === key) return fields[i];
  return undefined;
}

/** Splits a JSON object's text into its top-level fields, keeping each key and value as written. */
function splitTopLevel(text: string): Field[] {
  const fields: Field[] = [];
  const bad = (why: string): never => {
    throw new MalformedPayloadError(`job payload is not a JSON object: ${why}`);
  };
  let pos = skipSpace(text, 0);
  if (text.charCodeAt(pos) !== 0x7b) bad("it does not start with '{'");
  pos = skipSpace(text, pos + 1);
  if (text.charCodeAt(pos) === 0x7d) return fields;
  for (;;) {
    pos = skipSpace(text, pos);
    if (text.charCodeAt(pos) !== 0x22) bad(`expected a key at ${pos}`);
    const keyEnd = skipString(text, pos);
    if (keyEnd < 0) bad("unterminated key");
    const keyText = text.slice(pos, keyEnd);
    pos = skipSpace(text, keyEnd);
    if (text.charCodeAt(pos) !== 0x3a) bad(`expected ':' at ${pos}`);
    const valueStart = skipSpace(text, pos + 1);
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd < 0) bad(`bad value at ${valueStart}`);
    fields.push({ key: JSON.parse(keyText) as string, keyText, valueText: text.slice(valueStart, valueEnd) });
    pos = skipSpace(text, valueEnd);
    const c = text.charCodeAt(pos++);
    if (c === 0x7d) return fields;
    if (c !== 0x2c) bad(`expected ',' or '}' at ${pos - 1}`);
  }
}
