/**
 * A number that must reach Ruby as a Float even when it is integral: `new RubyFloat(1)` is written
 * `1.0` (a plain `1` would become a Ruby Integer). Timestamps in seconds use it so that Sidekiq 8,
 * which reads an Integer as milliseconds, sees seconds.
 */
export class RubyFloat {
  /** Its JSON text, kept once written: one timestamp is shared by every job of a bulk push. */
  text: string | undefined;

  constructor(readonly value: number) {}

  valueOf(): number {
    return this.value;
  }
}
