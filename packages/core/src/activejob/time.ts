// Ruby's Time, ActiveSupport::TimeWithZone and DateTime among ActiveJob arguments. ActiveJob
// writes them as ISO 8601 with nine fraction digits and the offset; a JavaScript Date keeps only
// milliseconds and no offset, so kiq keeps the exact text (and the zone) and derives the Date.

/** Which Ruby class an ActiveJob time argument was (and becomes again when Ruby reads it). */
export type RubyTimeClass = "Time" | "ActiveSupport::TimeWithZone" | "DateTime";

const NANOS_PER_SECOND = 1_000_000_000n;
const NANO_DIGITS = 9;
const MS_PER_MINUTE = 60_000;
// What Ruby's Time.iso8601 reads: date, "T", time, an optional fraction, "Z" or an offset.
const ISO_8601 =
  /^([+-]?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** An instant as Ruby wrote it: `iso` is the exact text, `date` the instant to the millisecond. */
export class RubyTime {
  /** Whole seconds since the epoch, in milliseconds (no fraction). */
  private readonly secondMs: number;
  /** The fraction of the second, in nanoseconds (0 to 999,999,999). */
  readonly nanosecond: number;
  /** The UTC offset as written: "Z" or "+02:00". */
  readonly offset: string;

  /**
   * @param iso ISO 8601 with an offset, as Ruby's `iso8601(9)` writes it
   * @param rubyClass the Ruby class to restore
   * @param zone the time zone name (ActiveSupport::TimeWithZone from Rails 7.0 on), e.g. "Europe/Berlin"
   */
  constructor(
    readonly iso: string,
    readonly rubyClass: RubyTimeClass = "Time",
    readonly zone?: string,
  ) {
    const match = typeof iso === "string" ? ISO_8601.exec(iso) : null;
    if (!match) throw new TypeError(`not an ISO 8601 time with an offset: ${JSON.stringify(iso)}`);
    const [, year, month, day, hour, minute, second, fraction = "", offset = "Z"] = match;
    const utc = new Date(0);
    utc.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
    utc.setUTCHours(Number(hour), Number(minute), Number(second), 0);
    this.secondMs = utc.getTime() - offsetMinutes(offset) * MS_PER_MINUTE;
    this.nanosecond = Number(fraction.slice(0, NANO_DIGITS).padEnd(NANO_DIGITS, "0"));
    this.offset = offset;
  }

  /** A Ruby Time in UTC for a JavaScript Date, as ActiveJob writes it (nine fraction digits). */
  static fromDate(date: Date): RubyTime {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TypeError("not a valid Date");
    return new RubyTime(formatIso8601(date.getTime(), NANO_DIGITS));
  }

  /** The instant, to the millisecond. */
  get date(): Date {
    return new Date(this.secondMs + Math.floor(this.nanosecond / 1e6));
  }

  /** Nanoseconds since the epoch, exactly. */
  get epochNanoseconds(): bigint {
    return BigInt(this.secondMs / 1000) * NANOS_PER_SECOND + BigInt(this.nanosecond);
  }

  toString(): string {
    return this.iso;
  }

  toJSON(): string {
    return this.iso;
  }
}

function offsetMinutes(offset: string): number {
  if (offset === "Z" || offset === "z") return 0;
  const digits = offset.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return offset.startsWith("-") ? -minutes : minutes;
}

/**
 * Epoch milliseconds (a fraction keeps sub-millisecond digits) as UTC ISO 8601 with `digits`
 * fraction digits, like Ruby's `Time#utc.iso8601(digits)` (truncated, never rounded up a second).
 */
export function formatIso8601(epochMs: number, digits: 0 | 9): string {
  const wholeMs = Math.floor(epochMs);
  const seconds = new Date(wholeMs).toISOString().slice(0, 19);
  if (digits === 0) return `${seconds}Z`;
  const millis = String(wholeMs - Math.floor(wholeMs / 1000) * 1000).padStart(3, "0");
  const subMillis = Math.min(999_999, Math.round((epochMs - wholeMs) * 1e6));
  return `${seconds}.${millis}${String(subMillis).padStart(6, "0")}Z`;
}
