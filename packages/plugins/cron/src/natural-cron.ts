import { isTimeZone } from "./time-zone.js";

/**
 * The natural phrases sidekiq-cron accepts through fugit's `Fugit::Nat`, turned into classic cron
 * text — only where kiq's reading is exactly fugit 1.5.2's (sidekiq-cron 1.8.0's). Phrases fugit
 * misreads or that fugit versions read differently ("5:30pm" is 05:30 in 1.5.2, "12am" is noon,
 * "every weekday and saturday" drops saturday, two times with different minutes keep only the
 * first) are refused with a reason, so a Ruby and a Node poller never disagree on a tick.
 */

/** Why a phrase is refused: shown in the CronSyntaxError. */
export class NaturalCronError extends Error {}

const DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const WEEKDAYS = "1,2,3,4,5";
const UNIT_LIMIT: Record<string, number> = { second: 60, minute: 60, hour: 24 };
const NOON_HOUR = 12;
const MAX_DAY_STEP = 31;
const ORDINAL = /^(\d{1,2})(?:st|nd|rd|th)$/;

function steps(every: number, limit: number, from = 0): string {
  const out: number[] = [];
  for (let v = from; v < limit; v += every) out.push(v);
  return out.join(",");
}

/** "noon", "midnight", "7", "11:00", "8am", "5 pm", "5:30 pm" → [hour, minute]. */
function timeOfDay(text: string): [number, number] {
  if (text === "noon") return [NOON_HOUR, 0];
  if (text === "midnight") return [0, 0];
  const m = /^(\d{1,2})(?::(\d{2}))?(\s*)(am|pm)?$/.exec(text);
  if (!m) throw new NaturalCronError(`"${text}" is not a time of day`);
  const [, h = "", mm, space, meridiem] = m;
  let hour = Number(h);
  const minute = Number(mm ?? 0);
  if (meridiem === "pm" && mm !== undefined && !space) {
    throw new NaturalCronError(`fugit 1.5.2 reads "${text}" without its pm: write "${h}:${mm} pm"`);
  }
  if (meridiem === "am" && hour === NOON_HOUR) {
    throw new NaturalCronError(`fugit 1.5.2 reads "${text}" as noon: write "midnight" or "0:${mm ?? "00"}"`);
  }
  if (meridiem === "pm" && hour < NOON_HOUR) hour += NOON_HOUR;
  if (hour > 23 || minute > 59 || (meridiem && Number(h) > NOON_HOUR)) {
    throw new NaturalCronError(`"${text}" is not a time of day`);
  }
  return [hour, minute];
}

/** "8am and 5pm" → "0 8,17"; times with different minutes are refused (fugit keeps the first only). */
function timesOfDay(text: string | undefined): string {
  if (text === undefined) return "0 0";
  const times = text.split(/\s+and\s+/).map(timeOfDay);
  const minutes = new Set(times.map(([, minute]) => minute));
  if (minutes.size > 1) {
    throw new NaturalCronError("times with different minutes make several crons; fugit keeps only the first");
  }
  const hours = [...new Set(times.map(([hour]) => hour))].sort((a, b) => a - b);
  return `${times[0]?.[1] ?? 0} ${hours.join(",")}`;
}

/** "day", "weekday", "monday", "mon", "tuesday and friday", "mon, wed and fri" → cron weekdays. */
function days(text: string): string {
  if (text === "day") return "*";
  if (text === "weekday") return WEEKDAYS;
  const out = new Set<number>();
  for (const word of text.split(/\s*,\s*|\s+and\s+/)) {
    const name = word.replace(/s$/, "");
    const day = DAY_NAMES.findIndex((d) => d === name || (name.length === 3 && d.startsWith(name)));
    if (day < 0) {
      const hint =
        word === "weekday" || word === "weekend" ? ` ("${word}" does not combine in fugit 1.5.2)` : "";
      throw new NaturalCronError(`"${word}" is not a day${hint}`);
    }
    out.add(day);
  }
  return [...out].sort((a, b) => a - b).join(",");
}

function dayOfMonth(text: string): number {
  const n = Number(ORDINAL.exec(text)?.[1] ?? Number.NaN);
  if (!(n >= 1 && n <= MAX_DAY_STEP)) throw new NaturalCronError(`"${text}" is not a day of the month`);
  return n;
}

/** `every N unit` (and `… from H1 to H2` for minutes), or undefined when the phrase is not one. */
function interval(text: string): string | undefined {
  const m = /^every (?:(\d+) )?(second|minute|hour|day|week|month|year)s?(?: from (\d+) to (\d+))?$/.exec(
    text,
  );
  if (!m) return undefined;
  const [, n, unit = "", from, to] = m;
  const every = Number(n ?? 1);
  if (every < 1) throw new NaturalCronError(`every ${every} ${unit}s is never`);
  const hours = from === undefined ? "*" : hourRange(unit, Number(from), Number(to));
  switch (unit) {
    case "second":
    case "minute":
    case "hour": {
      const limit = UNIT_LIMIT[unit] ?? 0;
      if (every > limit)
        throw new NaturalCronError(`fugit 1.5.2 does not step ${unit}s by more than ${limit}`);
      const list = every === 1 ? "*" : steps(every, limit);
      if (unit === "second") return `${list} * * * * *`;
      if (unit === "minute") return `${list} ${hours} * * *`;
      return `0 ${list} * * *`;
    }
    case "day":
      if (every > MAX_DAY_STEP) throw new NaturalCronError(`every ${every} days is not a monthly cron`);
      return every === 1 ? "0 0 * * *" : `0 0 ${steps(every, MAX_DAY_STEP + 1, 1)} * *`;
    default:
      if (every !== 1) throw new NaturalCronError(`every ${every} ${unit}s is not a cron`);
      return { week: "0 0 * * 0", month: "0 0 1 * *", year: "0 0 1 1 *" }[unit];
  }
}

/** fugit 1.5.2 reads `from H1 to H2` right only for minutes: hours H1 … H2 − 1. */
function hourRange(unit: string, from: number, to: number): string {
  if (unit !== "minute") throw new NaturalCronError(`fugit 1.5.2 misreads "from … to" with ${unit}s`);
  if (!(from < to && to <= 24)) throw new NaturalCronError(`"from ${from} to ${to}" is not a range of hours`);
  return steps(1, to, from);
}

function phrase(text: string): string | undefined {
  const stepped = interval(text);
  if (stepped) return stepped;
  const monthly =
    /^every month on the (\w+)(?: at (.+))?$/.exec(text) ??
    /^every (\w+) of the month(?: at (.+))?$/.exec(text);
  if (monthly) return `${timesOfDay(monthly[2])} ${dayOfMonth(monthly[1] ?? "")} * *`;
  const weekly = /^every (.+?) at (.+)$/.exec(text) ?? /^every (.+)$/.exec(text);
  if (weekly) return `${timesOfDay(weekly[2])} * * ${days(weekly[1] ?? "")}`;
  const at = /^at (.+?)(?: every (.+))?$/.exec(text);
  if (at) return `${timesOfDay(at[1])} * * ${days(at[2] ?? "day")}`;
  return undefined;
}

/**
 * Classic cron text (with a trailing zone when one was named) for a natural phrase, undefined when
 * it is not one; throws NaturalCronError for a phrase kiq will not read differently from fugit.
 */
export function naturalToCron(input: string): string | undefined {
  let words = input.trim().split(/\s+/);
  let zone = "";
  const last = words[words.length - 1] ?? "";
  if (words.length > 1 && /[A-Z/]/.test(last) && isTimeZone(last)) {
    zone = ` ${last}`;
    words = words.slice(0, -1);
  }
  // fugit wants the leading keyword in lower case ("EVERY DAY" is no cron); the rest in any case.
  const [keyword = "", ...rest] = words;
  const cron = phrase([keyword, ...rest.map((w) => w.toLowerCase())].join(" "));
  return cron === undefined ? undefined : `${cron}${zone}`;
}
