// ActiveSupport::Duration among ActiveJob arguments (`3.days + 2.hours`): its total seconds and the
// parts it was built from, which Ruby keeps apart because "1 month" is not a fixed number of seconds.

/** The units ActiveSupport::Duration is built from. */
export type DurationUnit = "years" | "months" | "weeks" | "days" | "hours" | "minutes" | "seconds";
export type DurationParts = Partial<Record<DurationUnit, number>>;

/** ActiveSupport's seconds per unit (a month is 1/12 of the mean Gregorian year). */
export const SECONDS_PER: Readonly<Record<DurationUnit, number>> = {
  years: 31_556_952,
  months: 2_629_746,
  weeks: 604_800,
  days: 86_400,
  hours: 3_600,
  minutes: 60,
  seconds: 1,
};

/** An ActiveSupport::Duration: `RubyDuration.of({ days: 3, hours: 2 })`. */
export class RubyDuration {
  /**
   * @param seconds the total, as Ruby's `Duration#value`
   * @param parts the amounts per unit, in the order Ruby listed them
   */
  constructor(
    readonly seconds: number,
    readonly parts: Readonly<DurationParts>,
  ) {
    if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
      throw new TypeError(`a duration's seconds must be a finite number, got ${String(seconds)}`);
    }
  }

  /** A duration from its parts, with the total ActiveSupport computes for them. */
  static of(parts: DurationParts): RubyDuration {
    let seconds = 0;
    for (const [unit, amount] of Object.entries(parts) as [DurationUnit, number][]) {
      const perUnit = SECONDS_PER[unit];
      if (perUnit === undefined) throw new TypeError(`"${unit}" is not a duration unit`);
      seconds += amount * perUnit;
    }
    return new RubyDuration(seconds, { ...parts });
  }

  get milliseconds(): number {
    return this.seconds * 1000;
  }
}
