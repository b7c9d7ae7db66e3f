// Ruby's Date among ActiveJob arguments: a calendar day with no time and no zone, which a
// JavaScript Date (an instant) cannot say without picking a zone.

const YEAR_MONTH_DAY = /^([+-]?\d{4,})-(\d{2})-(\d{2})$/;

/** A Ruby Date: `new RubyDate("2024-02-29")`. */
export class RubyDate {
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  readonly day: number;

  constructor(readonly iso: string) {
    const match = typeof iso === "string" ? YEAR_MONTH_DAY.exec(iso) : null;
    if (!match) throw new TypeError(`not a YYYY-MM-DD date: ${JSON.stringify(iso)}`);
    this.year = Number(match[1]);
    this.month = Number(match[2]);
    this.day = Number(match[3]);
    const check = this.toDate();
    if (check.getUTCMonth() + 1 !== this.month || check.getUTCDate() !== this.day) {
      throw new TypeError(`no such day: ${iso}`);
    }
  }

  /** The calendar day of `date` in UTC. */
  static fromDate(date: Date): RubyDate {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TypeError("not a valid Date");
    return new RubyDate(date.toISOString().slice(0, 10));
  }

  /** Midnight UTC at the start of this day. */
  toDate(): Date {
    const date = new Date(0);
    date.setUTCFullYear(this.year, this.month - 1, this.day);
    return date;
  }

  toString(): string {
    return this.iso;
  }

  toJSON(): string {
    return this.iso;
  }
}
