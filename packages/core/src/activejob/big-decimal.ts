// Ruby's BigDecimal among ActiveJob arguments, kept as its exact decimal text: a JavaScript number
// would round "0.1" + "0.2", and money is what BigDecimal usually carries.

// Ruby's BigDecimal() accepts these: an optional sign, digits with an optional fraction, an
// optional exponent ("0.12345e2" is BigDecimal#to_s without ActiveSupport), and the specials.
const DECIMAL = /^[+-]?(\d[\d_]*(\.\d[\d_]*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?Infinity$|^NaN$/;

/** A Ruby BigDecimal: `new RubyBigDecimal("19.99")`; `value` is the exact text. */
export class RubyBigDecimal {
  readonly value: string;

  constructor(value: string) {
    if (typeof value !== "string" || !DECIMAL.test(value.trim())) {
      throw new TypeError(`not a decimal Ruby's BigDecimal() accepts: ${JSON.stringify(value)}`);
    }
    this.value = value;
  }

  /** The nearest JavaScript number (may round). */
  toNumber(): number {
    return Number(this.value.replace(/_/g, ""));
  }

  toString(): string {
    return this.value;
  }

  toJSON(): string {
    return this.value;
  }
}
