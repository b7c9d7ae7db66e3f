import { CronSyntaxError } from "./cron-error.js";
import { NaturalCronError, naturalToCron } from "./natural-cron.js";
import { isTimeZone } from "./time-zone.js";

/** A weekday with fugit's qualifiers: `mon#2` (n-th in month, negative from the end), `sun%2+1` (week modulo). */
export interface WeekdaySpec {
  day: number; // 0 = Sunday
  nth?: number;
  modulo?: [number, number];
}

/** A parsed cron, fields as fugit keeps them: `undefined` means `*` (any). */
export interface CronExpression {
  source: string;
  seconds: number[];
  minutes?: number[];
  hours?: number[];
  monthdays?: number[]; // negative: from the end of the month (L = -1)
  months?: number[];
  weekdays?: WeekdaySpec[];
  zone?: string;
}

const SPECIALS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@noon": "0 12 * * *",
  "@hourly": "0 * * * *",
};
const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const FIELDS_WITHOUT_SECONDS = 5;
const FIELDS_WITH_SECONDS = 6;
const DAYS_IN_WEEK = 7;

interface Range {
  min: number;
  max: number;
  names?: string[];
  nameBase?: number;
}
const SECOND: Range = { min: 0, max: 59 };
const MINUTE: Range = { min: 0, max: 59 };
const HOUR: Range = { min: 0, max: 23 };
const MONTHDAY: Range = { min: 1, max: 31 };
const MONTH: Range = { min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 };
const WEEKDAY: Range = { min: 0, max: 7, names: DAY_NAMES, nameBase: 0 };

class FieldError extends Error {}

function value(text: string, range: Range): number {
  const lower = text.toLowerCase();
  const named = range.names?.indexOf(lower.slice(0, 3)) ?? -1;
  if (range.names && named >= 0 && /^[a-z]+$/.test(lower)) return named + (range.nameBase ?? 0);
  if (!/^\d+$/.test(text)) throw new FieldError(`"${text}" is not a number`);
  const n = Number(text);
  if (n < range.min || n > range.max) throw new FieldError(`${n} is out of ${range.min}-${range.max}`);
  return n;
}

/** `*`, `a`, `a-b`, `*\/n`, `a-b/n`, `a/n`, comma lists → sorted values; undefined for a bare `*`. */
function parseField(text: string, range: Range): number[] | undefined {
  if (text === "*" || text === "?") return undefined;
  const out = new Set<number>();
  for (const item of text.split(",")) {
    const [span = "", stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new FieldError(`bad step in "${item}"`);
    let lo: number;
    let hi: number;
    if (span === "*") {
      lo = range.min;
      hi = range.max;
    } else if (span.includes("-")) {
      const [a = "", b = ""] = span.split("-");
      lo = value(a, range);
      hi = value(b, range);
    } else {
      lo = value(span, range);
      hi = stepText === undefined ? lo : range.max;
    }
    if (hi < lo) throw new FieldError(`range "${span}" runs backwards`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function parseMonthdays(text: string): number[] | undefined {
  if (text === "*" || text === "?") return undefined;
  const out: number[] = [];
  const plain: string[] = [];
  for (const item of text.split(",")) {
    if (/^L$/i.test(item)) out.push(-1);
    else if (/^-\d+$/.test(item)) out.push(Number(item));
    else plain.push(item);
  }
  if (plain.length > 0) out.push(...(parseField(plain.join(","), MONTHDAY) ?? []));
  return [...new Set(out)].sort((a, b) => a - b);
}

function parseWeekdays(text: string): WeekdaySpec[] | undefined {
  if (text === "*" || text === "?") return undefined;
  const out: WeekdaySpec[] = [];
  for (const item of text.split(",")) {
    const hash = /^([a-z0-9]+)#(-?\d+|L)$/i.exec(item);
    const modulo = /^([a-z0-9]+)%(\d+)(?:\+(\d+))?$/i.exec(item);
    if (hash) {
      const nth = hash[2]?.toUpperCase() === "L" ? -1 : Number(hash[2]);
      if (nth === 0 || Math.abs(nth) > 5) throw new FieldError(`bad #${hash[2]}`);
      out.push({ day: value(hash[1] ?? "", WEEKDAY) % DAYS_IN_WEEK, nth });
    } else if (modulo) {
      const mod = Number(modulo[2]);
      if (mod < 1) throw new FieldError(`bad %${modulo[2]}`);
      out.push({
        day: value(modulo[1] ?? "", WEEKDAY) % DAYS_IN_WEEK,
        modulo: [mod, Number(modulo[3] ?? 0)],
      });
    } else {
      for (const d of parseField(item, WEEKDAY) ?? []) out.push({ day: d % DAYS_IN_WEEK });
    }
  }
  const seen = new Set<string>();
  return out
    .filter((w) => {
      const key = JSON.stringify(w);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.day - b.day);
}

/** Parse the classic cron grammar (5 or 6 fields, an optional trailing zone), or throw FieldError. */
function parseClassic(source: string, text: string): CronExpression {
  const special = SPECIALS[text.trim().split(/\s+/)[0]?.toLowerCase() ?? ""];
  let words = text.trim().split(/\s+/);
  if (special) words = [...special.split(" "), ...words.slice(1)];
  let zone: string | undefined;
  const last = words[words.length - 1] ?? "";
  if (words.length > FIELDS_WITHOUT_SECONDS && /[A-Za-z]/.test(last) && isTimeZone(last)) {
    zone = last;
    words = words.slice(0, -1);
  }
  if (words.length !== FIELDS_WITHOUT_SECONDS && words.length !== FIELDS_WITH_SECONDS) {
    throw new FieldError(`expected 5 or 6 fields (and an optional time zone), got ${words.length}`);
  }
  const [sec, min, hour, dom, month, dow] = words.length === FIELDS_WITH_SECONDS ? words : ["0", ...words];
  const expr: CronExpression = {
    source,
    seconds: parseField(sec ?? "", SECOND) ?? [...Array(SECOND.max + 1).keys()],
    minutes: parseField(min ?? "", MINUTE),
    hours: parseField(hour ?? "", HOUR),
    monthdays: parseMonthdays(dom ?? ""),
    months: parseField(month ?? "", MONTH),
    weekdays: parseWeekdays(dow ?? ""),
  };
  if (zone) expr.zone = zone;
  return expr;
}

/**
 * Parse a cron string the way sidekiq-cron 1.8.0 accepts it through fugit: classic 5/6-field crons,
 * `@daily`-style specials, a trailing IANA zone, and fugit's natural forms ("every 10 seconds",
 * "every weekday at 8am"). Throws CronSyntaxError for anything fugit would not turn into a cron.
 */
export function parseCron(source: string): CronExpression {
  const text = source.trim();
  if (text === "") throw new CronSyntaxError(source, "empty");
  // fugit's natural phrases start with a lower-case keyword.
  if (/^(every|at)\b/.test(text)) {
    let classic: string | undefined;
    try {
      classic = naturalToCron(text);
    } catch (e) {
      if (!(e instanceof NaturalCronError)) throw e;
      throw new CronSyntaxError(source, `not a natural form kiq reads as fugit does: ${e.message}`);
    }
    if (!classic) throw new CronSyntaxError(source, "not a natural form fugit turns into a cron");
    return parseClassicOrThrow(source, classic);
  }
  return parseClassicOrThrow(source, text);
}

function parseClassicOrThrow(source: string, text: string): CronExpression {
  try {
    return parseClassic(source, text);
  } catch (e) {
    if (e instanceof FieldError) throw new CronSyntaxError(source, e.message);
    throw e;
  }
}

function list(values: number[] | undefined): string {
  return values ? values.join(",") : "*";
}

/** fugit's `to_cron_s`: fields expanded, the seconds field only when it is not just 0. */
export function cronToString(expr: CronExpression): string {
  const fields: string[] = [];
  const everySecond = expr.seconds.length === SECOND.max + 1;
  if (!(expr.seconds.length === 1 && expr.seconds[0] === 0))
    fields.push(everySecond ? "*" : list(expr.seconds));
  const weekdays = expr.weekdays?.map((w) => {
    if (w.nth !== undefined) return `${w.day}#${w.nth}`;
    if (w.modulo) return `${w.day}#${w.modulo[0]}#${w.modulo[1]}`; // fugit 1.5.2 prints % as #
    return String(w.day);
  });
  fields.push(list(expr.minutes), list(expr.hours), list(expr.monthdays), list(expr.months));
  fields.push(weekdays ? weekdays.join(",") : "*");
  if (expr.zone) fields.push(expr.zone);
  return fields.join(" ");
}
