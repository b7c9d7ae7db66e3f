// A Ruby Range among ActiveJob arguments (Rails 7.0+): `1..10`, `1...10`, or of times or dates.

/** `new RubyRange(1, 10)` is `1..10`; `excludeEnd` makes it `1...10`. Either end may be null (endless). */
export class RubyRange<T = unknown> {
  constructor(
    readonly begin: T,
    readonly end: T,
    readonly excludeEnd = false,
  ) {}
}
