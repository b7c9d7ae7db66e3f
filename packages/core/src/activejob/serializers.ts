// ActiveJob::Serializers: the `{"_aj_serialized": "<serializer class>", …}` objects ActiveJob writes
// for arguments JSON has no type for. Each Ruby serializer maps to one kiq value class; a serializer
// kiq does not know becomes a SerializedObject that is written back untouched.

import type { JsonValue } from "../wire/json.js";
import type { ActiveJobValue, SerializedArgument } from "./arguments.js";
import { RubyBigDecimal } from "./big-decimal.js";
import { RubyDate } from "./date.js";
import { type DurationParts, RubyDuration } from "./duration.js";
import { ActiveJobSerializationError } from "./errors.js";
import { RubyModule } from "./module.js";
import { type RailsVersion, railsAtLeast } from "./rails-version.js";
import { RubyRange } from "./range.js";
import { SerializedObject } from "./serialized-object.js";
import { RubySymbol } from "./symbol.js";
import { RubyTime, type RubyTimeClass } from "./time.js";

/** The key naming an object's serializer. */
export const OBJECT_SERIALIZER_KEY = "_aj_serialized";

/** Rails' serializer class names, as written in `_aj_serialized`. */
export const SERIALIZERS = {
  Symbol: "ActiveJob::Serializers::SymbolSerializer",
  Time: "ActiveJob::Serializers::TimeSerializer",
  TimeWithZone: "ActiveJob::Serializers::TimeWithZoneSerializer",
  DateTime: "ActiveJob::Serializers::DateTimeSerializer",
  Date: "ActiveJob::Serializers::DateSerializer",
  Duration: "ActiveJob::Serializers::DurationSerializer",
  Module: "ActiveJob::Serializers::ModuleSerializer",
  Range: "ActiveJob::Serializers::RangeSerializer",
  BigDecimal: "ActiveJob::Serializers::BigDecimalSerializer",
} as const;

const TIME_SERIALIZERS: Readonly<Record<RubyTimeClass, string>> = {
  Time: SERIALIZERS.Time,
  "ActiveSupport::TimeWithZone": SERIALIZERS.TimeWithZone,
  DateTime: SERIALIZERS.DateTime,
};

/** Rails 7.0 added RangeSerializer and TimeWithZone's `time_zone`; 7.2 serializes BigDecimal (6.1–7.1 pass a String). */
const RANGE_SINCE: RailsVersion = "7.0";
const TIME_ZONE_SINCE: RailsVersion = "7.0";
const BIG_DECIMAL_SINCE: RailsVersion = "7.2";

type Hash = Record<string, JsonValue>;

/** Reads an object carrying `_aj_serialized`; `decode` reads nested arguments (Duration parts, Range ends). */
export function deserializeObject(hash: Hash, decode: (value: JsonValue) => ActiveJobValue): ActiveJobValue {
  const serializer = hash[OBJECT_SERIALIZER_KEY];
  switch (serializer) {
    case SERIALIZERS.Symbol:
      return new RubySymbol(text(hash, "value"));
    case SERIALIZERS.Time:
      return new RubyTime(text(hash, "value"), "Time");
    case SERIALIZERS.TimeWithZone: {
      const zone = hash.time_zone;
      return new RubyTime(
        text(hash, "value"),
        "ActiveSupport::TimeWithZone",
        typeof zone === "string" ? zone : undefined,
      );
    }
    case SERIALIZERS.DateTime:
      return new RubyTime(text(hash, "value"), "DateTime");
    case SERIALIZERS.Date:
      return new RubyDate(text(hash, "value"));
    case SERIALIZERS.Duration:
      return readDuration(hash, decode);
    case SERIALIZERS.Module:
      return new RubyModule(text(hash, "value"));
    case SERIALIZERS.Range:
      // Ruby: Range.new(begin, end, exclude_end), so any truthy exclude_end excludes
      return new RubyRange(decode(hash.begin ?? null), decode(hash.end ?? null), isTruthy(hash.exclude_end));
    case SERIALIZERS.BigDecimal:
      return new RubyBigDecimal(text(hash, "value"));
    default:
      if (typeof serializer !== "string")
        throw new TypeError(`serializer name is not a string: ${JSON.stringify(serializer)}`);
      return new SerializedObject(hash);
  }
}

/**
 * Writes a kiq value class (or a JavaScript Date, as a Ruby Time) the way `rails` does; undefined
 * for anything else. `encode` writes nested arguments.
 */
export function serializeObject(
  value: object,
  encode: (value: unknown) => SerializedArgument,
  rails: RailsVersion,
): SerializedArgument | undefined {
  if (value instanceof RubySymbol) return serialized(SERIALIZERS.Symbol, { value: value.name });
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new ActiveJobSerializationError("an Invalid Date has no Ruby Time");
    return serializeObject(RubyTime.fromDate(value), encode, rails);
  }
  if (value instanceof RubyTime) {
    const fields: Record<string, SerializedArgument> = { value: value.iso };
    const zoned = value.rubyClass === "ActiveSupport::TimeWithZone" && value.zone !== undefined;
    if (zoned && railsAtLeast(rails, TIME_ZONE_SINCE)) fields.time_zone = value.zone as string;
    return serialized(TIME_SERIALIZERS[value.rubyClass], fields);
  }
  if (value instanceof RubyDate) return serialized(SERIALIZERS.Date, { value: value.iso });
  if (value instanceof RubyDuration) {
    const parts = Object.entries(value.parts).map(([unit, amount]) => [
      encode(new RubySymbol(unit)),
      amount as number,
    ]);
    return serialized(SERIALIZERS.Duration, { value: value.seconds, parts });
  }
  if (value instanceof RubyModule) return serialized(SERIALIZERS.Module, { value: value.name });
  if (value instanceof RubyRange) {
    if (!railsAtLeast(rails, RANGE_SINCE)) {
      throw new ActiveJobSerializationError(
        `Rails ${rails} cannot deserialize a Range (RangeSerializer came with Rails ${RANGE_SINCE})`,
      );
    }
    const exclude_end = Boolean(value.excludeEnd);
    return serialized(SERIALIZERS.Range, { begin: encode(value.begin), end: encode(value.end), exclude_end });
  }
  if (value instanceof RubyBigDecimal) {
    // Before 7.2 Rails passes BigDecimal through and Sidekiq's JSON writes it as a String
    return railsAtLeast(rails, BIG_DECIMAL_SINCE)
      ? serialized(SERIALIZERS.BigDecimal, { value: value.value })
      : value.value;
  }
  if (value instanceof SerializedObject) return value.hash as SerializedArgument;
  return undefined;
}

function serialized(serializer: string, fields: Record<string, SerializedArgument>): SerializedArgument {
  return { [OBJECT_SERIALIZER_KEY]: serializer, ...fields };
}

/** `value` is the total seconds; `parts` a list of [Symbol unit, amount] pairs (Hash#map of Duration#parts). */
function readDuration(hash: Hash, decode: (value: JsonValue) => ActiveJobValue): RubyDuration {
  const seconds = Number(hash.value);
  const pairs = decode(hash.parts ?? []);
  if (!Array.isArray(pairs)) throw new TypeError("duration parts are not a list");
  const parts: DurationParts = {};
  for (const pair of pairs) {
    const [unit, amount] = Array.isArray(pair) ? pair : [];
    if (!(unit instanceof RubySymbol) || (typeof amount !== "number" && typeof amount !== "bigint")) {
      throw new TypeError(`bad duration part: ${JSON.stringify(pair)}`);
    }
    parts[unit.name as keyof DurationParts] = Number(amount);
  }
  return new RubyDuration(seconds, parts);
}

function text(hash: Hash, key: string): string {
  const value = hash[key];
  if (typeof value !== "string")
    throw new TypeError(`${String(hash[OBJECT_SERIALIZER_KEY])} "${key}" is not a string`);
  return value;
}

/** Ruby's truthiness: everything but nil and false. */
export function isTruthy(value: unknown): boolean {
  return value !== null && value !== undefined && value !== false;
}
