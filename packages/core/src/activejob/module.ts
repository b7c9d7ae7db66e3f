// A Ruby Module or Class passed as an ActiveJob argument (`perform_later(User)`), by its constant name.

/** A Ruby constant: `new RubyModule("Billing::Invoice")`. */
export class RubyModule {
  constructor(readonly name: string) {
    if (typeof name !== "string" || name.length === 0)
      throw new TypeError("a module name must be a non-empty string");
  }

  toString(): string {
    return this.name;
  }

  toJSON(): string {
    return this.name;
  }
}
