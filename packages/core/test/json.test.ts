import { describe, expect, it } from "vitest";
import { formatFloat, generateJson, InvalidJobError, parseJson, RubyFloat } from "../src/index.js";

describe("parseJson", () => {
  it("keeps integers beyond 2^53 exactly, as BigInt", () => {
    const value = parseJson("[12345678901234567890,-99999999999999999999,9007199254740993,42]");
    expect(value).toEqual([12345678901234567890n, -99999999999999999999n, 9007199254740993n, 42]);
  });

  it("gives numbers for 16-digit integers that are safe, and for floats", () => {
    expect(parseJson("[1234567890123456,1.0,-0.0,1.0e+20,1.0e-07]")).toEqual([
      1234567890123456, 1, -0, 1e20, 1e-7,
    ]);
    expect(Object.is((parseJson("[-0.0]") as number[])[0], -0)).toBe(true);
  });

  it("decodes escapes, unicode and nesting like JSON.parse does", () => {
    const text = '{"a":"\\u00fc\\/\\n","b":[{},[],{"c":null}],"d":true,"e":false,"big":12345678901234567890}';
    const expected = { ...JSON.parse(text), big: 12345678901234567890n };
    expect(parseJson(text)).toEqual(expected);
  });

  it("keeps a __proto__ key as data, never as a prototype", () => {
    const value = parseJson('{"__proto__":{"polluted":1},"n":12345678901234567890}') as Record<
      string,
      unknown
    >;
    expect(Object.keys(value)).toEqual(["__proto__", "n"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects malformed text with a position", () => {
    expect(() => parseJson('{"a":12345678901234567890')).toThrow(SyntaxError);
    expect(() => parseJson("[12345678901234567890,]")).toThrow(SyntaxError);
  });
});

describe("generateJson writes what Ruby's JSON.generate writes", () => {
  it.each([
    [1, "1"],
    [new RubyFloat(1), "1.0"],
    [-0, "-0.0"],
    [100.5, "100.5"],
    [1 / 3, "0.3333333333333333"],
    [1795378342.3337963, "1795378342.3337963"],
    [1e15, "1000000000000000"],
    [new RubyFloat(1e15), "1000000000000000.0"],
    [1e16, "1.0e+16"],
    [1e20, "1.0e+20"],
    [1.5e-5, "1.5e-05"],
    [1e-7, "1.0e-07"],
    [0.0001, "0.0001"],
    [-2.5e-300, "-2.5e-300"],
    [12345678901234567890n, "12345678901234567890"],
  ])("%s → %s", (value, text) => {
    expect(generateJson(value)).toBe(text);
  });

  it("writes strings raw UTF-8 with Ruby's escapes and no whitespace", () => {
    expect(generateJson({ s: 'ü/\u2028"\\\n\u0001', a: [], o: {} })).toBe(
      '{"s":"ü/\u2028\\"\\\\\\n\\u0001","a":[],"o":{}}',
    );
  });

  it("refuses values JSON cannot carry, naming where they are", () => {
    expect(() => generateJson({ args: [{ when: new Date(0) }] }, "job")).toThrow(
      /job\.args\[0\]\.when is a Date object/,
    );
    expect(() => generateJson([undefined], "args")).toThrow(InvalidJobError);
    expect(() => generateJson([Number.NaN])).toThrow(/NaN/);
    expect(() => generateJson([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
    expect(() => generateJson([() => 1])).toThrow(/function/);
    expect(() => generateJson([new Map()])).toThrow(/Map/);
  });

  it("formatFloat matches Ruby's Float#to_s at the fixed/scientific boundaries", () => {
    expect(formatFloat(9999999999999998)).toBe("9999999999999998.0");
    expect(formatFloat(0.001)).toBe("0.001");
    expect(formatFloat(0.00001)).toBe("1.0e-05");
    expect(formatFloat(1.7976931348623157e308)).toBe("1.7976931348623157e+308");
    expect(formatFloat(5e-324)).toBe("5.0e-324");
  });
});
