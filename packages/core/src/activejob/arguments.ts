// ActiveJob::Arguments: job arguments to and from the JSON ActiveJob stores in `arguments`.
// Primitives pass through; arrays and hashes recurse (hashes gain a marker key saying which keys
// were Symbols); GlobalIDs are `{"_aj_globalid": uri}`; everything else goes through a serializer.

import type { JsonValue } from "../wire/json.js";
import { RubyFloat } from "../wire/ruby-float.js";
import type { RubyBigDecimal } from "./big-decimal.js";
import type { RubyDate } from "./date.js";
import type { RubyDuration } from "./duration.js";
import { ActiveJobDeserializationError, ActiveJobSerializationError } from "./errors.js";
import { GlobalId } from "./global-id.js";
import { markHash, type RubyHashKind, rubyHashShape } from "./hash-keys.js";
import type { RubyModule } from "./module.js";
import { defaultRailsVersion, type RailsVersion } from "./rails-version.js";
import type { RubyRange } from "./range.js";
import type { SerializedObject } from "./serialized-object.js";
import { deserializeObject, isTruthy, OBJECT_SERIALIZER_KEY, serializeObject } from "./serializers.js";
import type { RubySymbol } from "./symbol.js";
import type { RubyTime } from "./time.js";

/** An argument as a Node handler receives it. Hashes are plain objects (see hash-keys.ts for Symbol keys). */
export type ActiveJobValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | RubySymbol
  | RubyTime
  | RubyDate
  | RubyBigDecimal
  | RubyDuration
  | RubyModule
  | RubyRange<ActiveJobValue>
  | GlobalId
  | SerializedObject
  | ActiveJobValue[]
  | { [key: string]: ActiveJobValue };

/** What Node may pass as an argument: every ActiveJobValue, plus a Date (a Ruby Time) and RubyFloat. */
export type ActiveJobArgument =
  | ActiveJobValue
  | Date
  | RubyFloat
  | RubyRange<ActiveJobArgument>
  | ActiveJobArgument[]
  | { [key: string]: ActiveJobArgument };

/** An argument in ActiveJob's JSON form, ready for kiq's JSON writer. */
export type SerializedArgument =
  | null
  | boolean
  | number
  | bigint
  | string
  | RubyFloat
  | SerializedArgument[]
  | { [key: string]: SerializedArgument };

export interface EncodeOptions {
  /** The Rails release that will read the arguments; default 6.1, which every later Rails reads too. */
  rails?: RailsVersion;
}

const GLOBALID_KEY = "_aj_globalid";
const SYMBOL_KEYS_KEY = "_aj_symbol_keys";
const RUBY2_KEYWORDS_KEY = "_aj_ruby2_keywords";
const WITH_INDIFFERENT_ACCESS_KEY = "_aj_hash_with_indifferent_access";
/** Keys a Ruby hash argument may not have (ActiveJob raises SerializationError). */
const RESERVED_KEYS: ReadonlySet<string> = new Set([
  GLOBALID_KEY,
  SYMBOL_KEYS_KEY,
  RUBY2_KEYWORDS_KEY,
  OBJECT_SERIALIZER_KEY,
  WITH_INDIFFERENT_ACCESS_KEY,
]);
const MARKER_KEY: Readonly<Record<Exclude<RubyHashKind, "indifferent_access">, string>> = {
  symbol_keys: SYMBOL_KEYS_KEY,
  ruby2_keywords: RUBY2_KEYWORDS_KEY,
};
const DEFAULT_RAILS = defaultRailsVersion(6);

/** Decodes a job's `arguments`; throws ActiveJob::ActiveJobDeserializationError as Ruby does for bad input. */
export function decodeArguments(serialized: readonly JsonValue[]): ActiveJobValue[] {
  if (!Array.isArray(serialized)) throw new ActiveJobDeserializationError("arguments is not an Array");
  return deserializing(() => serialized.map(decode));
}

/** Decodes one argument (or anything else in ActiveJob's form, such as Sidekiq 8's `cattr` pairs). */
export function decodeArgument(serialized: JsonValue): ActiveJobValue {
  return deserializing(() => decode(serialized));
}

/** Encodes arguments as ActiveJob does; throws ActiveJob::SerializationError for what it cannot carry. */
export function encodeArguments(args: readonly unknown[], options: EncodeOptions = {}): SerializedArgument[] {
  const rails = options.rails ?? DEFAULT_RAILS;
  return args.map((arg, i) => encode(arg, `arguments[${i}]`, rails));
}

/** Encodes one argument as ActiveJob does. */
export function encodeArgument(value: unknown, options: EncodeOptions = {}): SerializedArgument {
  return encode(value, "argument", options.rails ?? DEFAULT_RAILS);
}

function deserializing<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ActiveJobDeserializationError) throw error;
    const message = `Error while trying to deserialize arguments: ${(error as Error).message}`;
    throw new ActiveJobDeserializationError(message, { cause: error });
  }
}

function decode(value: JsonValue): ActiveJobValue {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decode);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === GLOBALID_KEY) {
    const uri = value[GLOBALID_KEY];
    if (typeof uri !== "string") throw new TypeError(`${GLOBALID_KEY} is not a string`);
    return GlobalId.parse(uri);
  }
  if (Object.hasOwn(value, OBJECT_SERIALIZER_KEY)) return deserializeObject(value, decode);
  return decodeHash(value);
}

/** Ruby's deserialize_hash: values first, then one marker decides the keys (indifferent access wins). */
function decodeHash(serialized: { [key: string]: JsonValue }): { [key: string]: ActiveJobValue } {
  const hash = Object.fromEntries(Object.entries(serialized).map(([key, value]) => [key, decode(value)]));
  const take = (key: string): ActiveJobValue | undefined => {
    const value = hash[key];
    delete hash[key];
    return value;
  };
  if (isTruthy(take(WITH_INDIFFERENT_ACCESS_KEY))) {
    return markHash(hash, { kind: "indifferent_access", symbolKeys: [] });
  }
  for (const kind of ["symbol_keys", "ruby2_keywords"] as const) {
    const listed = take(MARKER_KEY[kind]);
    if (isTruthy(listed)) {
      const names = Array.isArray(listed) ? listed : [];
      return markHash(hash, { kind, symbolKeys: Object.keys(hash).filter((key) => names.includes(key)) });
    }
  }
  return hash;
}

function encode(value: unknown, path: string, rails: RailsVersion): SerializedArgument {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw unsupported(path, String(value));
      return value;
    case "object": {
      if (value === null || value instanceof RubyFloat) return value;
      if (Array.isArray(value)) return value.map((entry, i) => encode(entry, `${path}[${i}]`, rails));
      if (value instanceof GlobalId) return { [GLOBALID_KEY]: value.uri };
      const typed = serializeObject(value, (inner) => encode(inner, path, rails), rails);
      if (typed !== undefined) return typed;
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null)
        return encodeHash(value as Record<string, unknown>, path, rails);
      throw unsupported(path, value.constructor?.name ?? "object");
    }
    default:
      throw unsupported(path, typeof value);
  }
}

/** Ruby's serialize_hash plus the marker: which keys were Symbols, or indifferent access. */
function encodeHash(hash: Record<string, unknown>, path: string, rails: RailsVersion): SerializedArgument {
  const entries: [string, SerializedArgument][] = [];
  for (const [key, value] of Object.entries(hash)) {
    if (RESERVED_KEYS.has(key))
      throw new ActiveJobSerializationError(`${path}: Can't serialize a Hash with reserved key "${key}"`);
    entries.push([key, encode(value, `${path}.${key}`, rails)]);
  }
  const shape = rubyHashShape(hash);
  if (shape?.kind === "indifferent_access") {
    entries.push([WITH_INDIFFERENT_ACCESS_KEY, true]);
  } else {
    // Ruby lists the Symbol keys in the hash's order; unmarked JavaScript keys are Strings
    const symbols = shape ? Object.keys(hash).filter((key) => shape.symbolKeys.includes(key)) : [];
    entries.push([MARKER_KEY[shape?.kind ?? "symbol_keys"], symbols]);
  }
  return Object.fromEntries(entries);
}

function unsupported(path: string, what: string): ActiveJobSerializationError {
  return new ActiveJobSerializationError(`${path}: Unsupported argument type: ${what}`);
}
