// A Ruby Symbol (`:active`) among ActiveJob arguments. JavaScript has no value that says "this was
// a Symbol, not a String", and Ruby code tells them apart (`status == :active` is false for
// "active"), so kiq keeps the difference observable instead of flattening it.

/** A Ruby Symbol: `new RubySymbol("active")` is `:active`; `String(sym)` is its name. */
export class RubySymbol {
  constructor(readonly name: string) {
    if (typeof name !== "string") throw new TypeError("a RubySymbol's name must be a string");
  }

  /** Whether this is the Symbol named `name`. */
  is(name: string): boolean {
    return this.name === name;
  }

  toString(): string {
    return this.name;
  }

  toJSON(): string {
    return this.name;
  }
}
