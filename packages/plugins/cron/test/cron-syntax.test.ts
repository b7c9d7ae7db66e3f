import { readFileSync } from "node:fs";
import { CronSyntaxError, cronToString, nextTick, parseCron, previousTick } from "@kiq/cron";
import { describe, expect, it } from "vitest";

const SYNTAX_VECTORS = "/work/shared/spec/vectors/cron-1.8.0-syntax.json";
const PREVIOUS_KEY = "previous_time_utc(from 2026-11-22T20:13:07Z)";

interface SyntaxCase {
  cron: string;
  "valid_in_1.8.0": boolean;
  fugit_to_cron_s?: string;
  [PREVIOUS_KEY]?: string;
}
const vectors = JSON.parse(readFileSync(SYNTAX_VECTORS, "utf8")) as { from: string; cases: SyntaxCase[] };
const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");

describe("cron syntax as sidekiq-cron 1.8.0 accepts it (fugit 1.5.2 vectors)", () => {
  for (const c of vectors.cases) {
    if (c["valid_in_1.8.0"]) {
      it(`accepts ${JSON.stringify(c.cron)} as fugit normalises it, with fugit's previous tick`, () => {
        const expr = parseCron(c.cron);
        expect(cronToString(expr)).toBe(c.fugit_to_cron_s);
        expect(iso(previousTick(expr, new Date(vectors.from)))).toBe(c[PREVIOUS_KEY]);
      });
    } else {
      it(`rejects ${JSON.stringify(c.cron)} at load`, () => {
        expect(() => parseCron(c.cron)).toThrow(CronSyntaxError);
      });
    }
  }
});

describe("ticks", () => {
  it("truncates to the whole second and is strictly before it (20:11:55.5 → 20:11:50 for */5 s)", () => {
    const expr = parseCron("*/5 * * * * *");
    expect(iso(previousTick(expr, new Date("2026-11-22T20:11:55.500Z")))).toBe("2026-11-22T20:11:50Z");
    expect(iso(previousTick(expr, new Date("2026-11-22T20:11:55.000Z")))).toBe("2026-11-22T20:11:50Z");
    expect(iso(nextTick(expr, new Date("2026-11-22T20:11:55.500Z")))).toBe("2026-11-22T20:12:00Z");
  });

  it("keeps zone wall time across a DST change (02:30 Berlin skipped on 2026-03-29)", () => {
    const expr = parseCron("0 9 * * * Europe/Berlin");
    expect(iso(nextTick(expr, new Date("2026-03-28T12:00:00Z")))).toBe("2026-03-29T07:00:00Z");
    expect(iso(previousTick(expr, new Date("2026-03-29T12:00:00Z")))).toBe("2026-03-29T07:00:00Z");
    expect(iso(previousTick(expr, new Date("2026-03-29T06:00:00Z")))).toBe("2026-03-28T08:00:00Z");
  });

  it("finds rare ticks (Feb 29) without scanning second by second", () => {
    const expr = parseCron("0 0 29 2 *");
    expect(iso(nextTick(expr, new Date("2026-11-22T00:00:00Z")))).toBe("2028-02-29T00:00:00Z");
  });

  it("names the reason in the error", () => {
    expect(() => parseCron("60 * * * *")).toThrow(/invalid cron "60 \* \* \* \*": 60 is out of 0-59/);
    expect(() => parseCron("every fortnight")).toThrow(/natural form/);
    expect(() => parseCron("* * * *")).toThrow(/expected 5 or 6 fields/);
  });
});
