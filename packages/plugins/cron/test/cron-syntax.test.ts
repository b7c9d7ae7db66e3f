import { readFileSync } from "node:fs";
import { CronSyntaxError, cronToString, nextTick, parseCron, previousTick } from "@kiq/cron";
import { describe, expect, it } from "vitest";
import { rubyFixture } from "../../../../test/support/paths.js";
import { runRubyScript } from "../../../../test/support/ruby.js";

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

/** Phrases people write, many of which fugit 1.5.2 misreads: kiq must give fugit's cron or refuse. */
const PHRASES = [
  // intervals
  "every second",
  "every 7 seconds",
  "every 45 seconds",
  "every 60 seconds",
  "every 90 seconds",
  "every minute",
  "every 1 minute",
  "every 7 minutes",
  "every 60 minutes",
  "every 90 minutes",
  "every hour",
  "every 5 hours",
  "every 24 hours",
  "every 25 hours",
  "every 0 minutes",
  "every day",
  "every 1 day",
  "every 2 days",
  "every 3 days",
  "every 16 days",
  "every 31 days",
  "every 32 days",
  "every week",
  "every 1 week",
  "every 2 weeks",
  "every month",
  "every 1 month",
  "every year",
  "every 5 minutes from 9 to 17",
  "every minute from 9 to 17",
  "every 2 hours from 8 to 18",
  "every 30 seconds from 9 to 17",
  "every 5 minutes between 9 and 17",
  // days and times
  "every monday",
  "every mon at 9am",
  "every Mon at 9:00",
  "every Tuesday at 5PM",
  "every thu at 8am",
  "every tuesday and friday at 5pm",
  "every monday, wednesday and friday at 8am",
  "every mon, wed at 8",
  "every saturday and sunday at 10am",
  "every weekday",
  "every weekday at 9:15am",
  "every weekend",
  "every weekend at 10am",
  "every weekday and saturday at 8am",
  "every day at 8am and 5pm",
  "every day at 8:15 and 17:15",
  "every day at 16:15 and 18:30",
  "every day at noon and midnight",
  "every thursday at 8am and 8pm",
  "every day at 9am and 9am",
  "every day at 5:30pm",
  "every day at 5:30 pm",
  "every day at 12am",
  "every day at 12 am",
  "every day at 12:30am",
  "every day at 12pm",
  "every day at 12 pm",
  "every day at 11:59 pm",
  "every day at 0",
  "every day at 0:30",
  "every day at 7",
  "every day at 25:00",
  "every day at 10:70",
  "every day at 13pm",
  "at noon",
  "at 9am",
  "at 5pm every day",
  "at 5pm every weekday",
  "at 9am every monday",
  // days of the month
  "every month on the 1st at 3am",
  "every 1st of the month at 3am",
  "every month on the 15th",
  "every 2nd of the month",
  "every month on the 31st at 23:00",
  "every month on the 32nd",
  // zones and case
  "every day at 8am and 5pm Europe/Paris",
  "every tuesday and friday at 5pm UTC",
  "every month on the 1st at 3am UTC",
  "EVERY DAY AT NOON",
  "Every day at noon",
  "every  day  at  noon",
];

describe("natural phrases: kiq gives fugit 1.5.2's cron (sidekiq-cron 1.8.0's) or refuses, never another", () => {
  it(`${PHRASES.length} phrases against Debian's fugit, live`, async () => {
    const fugit = await runRubyScript<[string, string | null][]>(6, rubyFixture("fugit_cron.rb"), PHRASES);
    const mismatches: string[] = [];
    let same = 0;
    for (const [phrase, theirs] of fugit) {
      let ours: string | null = null;
      try {
        ours = cronToString(parseCron(phrase));
      } catch (e) {
        expect(e, phrase).toBeInstanceOf(CronSyntaxError);
      }
      if (ours === theirs) same++;
      else if (ours !== null) mismatches.push(`${JSON.stringify(phrase)}: fugit ${theirs}, kiq ${ours}`);
    }
    expect(mismatches).toEqual([]);
    // Refusing everything would pass the above: most phrases fugit reads right must be read.
    expect(same).toBeGreaterThan(60);
  });

  it("says why it refuses a phrase fugit 1.5.2 misreads", () => {
    expect(() => parseCron("every day at 5:30pm")).toThrow(/reads "5:30pm" without its pm: write "5:30 pm"/);
    expect(() => parseCron("every day at 12am")).toThrow(/reads "12am" as noon/);
    expect(() => parseCron("every day at 16:15 and 18:30")).toThrow(/different minutes/);
    expect(() => parseCron("every weekday and saturday at 8am")).toThrow(/does not combine/);
  });
});

/** Around DST changes: a wall clock an overlap repeats fires twice, one a gap skips never (fugit's rule). */
const DST_CASES: [string, string][] = [
  ["30 1 * * * America/New_York", "2026-11-01T05:45:00Z"], // 01:30 EDT, then 01:30 EST
  ["30 1 * * * America/New_York", "2026-11-01T06:00:00Z"],
  ["30 1 * * * America/New_York", "2026-11-01T07:00:00Z"],
  ["30 1 * * * America/New_York", "2026-11-01T12:00:00Z"],
  ["*/30 * * * * America/New_York", "2026-11-01T06:20:00Z"],
  ["0,59 1 * * * America/New_York", "2026-11-01T06:00:30Z"],
  ["30 2 * * * America/New_York", "2026-03-08T06:00:00Z"], // 02:30 does not exist that day
  ["30 2 * * * America/New_York", "2026-03-08T08:00:00Z"],
  ["*/30 * * * * Europe/Berlin", "2026-10-25T00:40:00Z"],
  ["*/30 * * * * Europe/Berlin", "2026-10-25T01:10:00Z"],
  ["0 2 * * * Europe/Berlin", "2026-10-25T00:30:00Z"],
  ["0 2 * * * Europe/Berlin", "2026-10-25T01:30:00Z"],
  ["* * * * * * Europe/Berlin", "2026-10-25T01:00:00Z"],
  ["*/5 * * * * * Europe/Berlin", "2026-03-29T01:00:02Z"],
  ["0 3 * * * Europe/Berlin", "2026-03-29T01:30:00Z"],
  ["15 * * * * Australia/Lord_Howe", "2026-04-05T15:20:00Z"], // a 30-minute shift
  ["*/10 * * * * Australia/Lord_Howe", "2026-04-05T14:55:00Z"],
  ["0 0 * * * Asia/Kolkata", "2026-11-23T00:00:00Z"],
  ["every day at 1:30 am America/New_York", "2026-11-01T06:10:00Z"],
];

describe("time zones: previous and next ticks around DST changes as Debian's fugit computes them", () => {
  it(`${DST_CASES.length} crons and instants, live, each tick found in a few milliseconds`, async () => {
    const fugit = await runRubyScript<[string, string, string, string][]>(
      6,
      rubyFixture("fugit_cron.rb"),
      DST_CASES,
    );
    for (const [cron, from, previous, next] of fugit) {
      const expr = parseCron(cron);
      const started = performance.now();
      const ours = [iso(previousTick(expr, new Date(from))), iso(nextTick(expr, new Date(from)))];
      expect(performance.now() - started, `${cron} from ${from}: time taken`).toBeLessThan(250);
      expect(ours, `${cron} from ${from}`).toEqual([previous, next]);
    }
  });
});
