import type { CronExpression, WeekdaySpec } from "./cron-expression.js";
import { instantOf, type WallClock, wallClockAt, wallClockFromMs, wallClockMs } from "./time-zone.js";

const MS_PER_SECOND = 1000;
const MS_PER_DAY = 86_400_000;
const DAYS_PER_WEEK = 7;
const MS_PER_WEEK = MS_PER_DAY * DAYS_PER_WEEK;
/** et-orbi counts `rweek` (for `dow%n`) from this local midnight. */
const RWEEK_EPOCH = { year: 2019, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
/** No cron fugit accepts goes this long without a tick (leap-day crons: 8 years); a guard, not a limit. */
const SEARCH_LIMIT_MS = 9 * 366 * MS_PER_DAY;
const UTC = "UTC";

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekdayMatches(w: WallClock, spec: WeekdaySpec, zone: string, instantMs: number): boolean {
  const wday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
  if (wday !== spec.day) return false;
  if (spec.nth !== undefined) {
    const fromStart = Math.floor((w.day - 1) / DAYS_PER_WEEK) + 1;
    const fromEnd = -(Math.floor((daysInMonth(w.year, w.month) - w.day) / DAYS_PER_WEEK) + 1);
    return spec.nth > 0 ? spec.nth === fromStart : spec.nth === fromEnd;
  }
  if (spec.modulo) {
    const rweek = Math.floor((instantMs - instantOf(RWEEK_EPOCH, zone)) / MS_PER_WEEK) + 1;
    return (rweek + spec.modulo[1]) % spec.modulo[0] === 0;
  }
  return true;
}

function dayMatches(expr: CronExpression, w: WallClock, zone: string, instantMs: number): boolean {
  const last = daysInMonth(w.year, w.month);
  const monthday = () => expr.monthdays?.some((d) => (d < 1 ? last + d + 1 : d) === w.day) ?? true;
  const weekday = () => expr.weekdays?.some((s) => weekdayMatches(w, s, zone, instantMs)) ?? true;
  // Both restricted: either matches (man 5 crontab, as fugit does).
  if (expr.monthdays && expr.weekdays) return monthday() || weekday();
  return monthday() && weekday();
}

const has = (values: number[] | undefined, v: number) => values === undefined || values.includes(v);

/**
 * Walk wall-clock time in the cron's zone from `startWall` in direction `dir` (-1 back, +1 forward),
 * skipping whole months/days/hours/minutes that cannot match, until an instant matches.
 */
function search(expr: CronExpression, fromMs: number, dir: 1 | -1): Date {
  const zone = expr.zone ?? UTC;
  let cursor = wallClockMs(wallClockAt(fromMs, zone)) + dir * MS_PER_SECOND;
  const stop = cursor + dir * SEARCH_LIMIT_MS;
  while (dir < 0 ? cursor > stop : cursor < stop) {
    const w = wallClockFromMs(cursor);
    const align = (unitStart: number, unitMs: number) => {
      cursor = dir < 0 ? unitStart - MS_PER_SECOND : unitStart + unitMs;
    };
    if (!has(expr.months, w.month)) {
      const start = Date.UTC(w.year, w.month - 1, 1);
      align(start, Date.UTC(w.year, w.month, 1) - start);
      continue;
    }
    const instant = instantOf(w, zone);
    if (!dayMatches(expr, w, zone, instant)) {
      align(Date.UTC(w.year, w.month - 1, w.day), MS_PER_DAY);
      continue;
    }
    if (!has(expr.hours, w.hour)) {
      align(Date.UTC(w.year, w.month - 1, w.day, w.hour), 3_600_000);
      continue;
    }
    if (!has(expr.minutes, w.minute)) {
      align(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute), 60_000);
      continue;
    }
    if (!expr.seconds.includes(w.second)) {
      cursor += dir * MS_PER_SECOND;
      continue;
    }
    // A wall clock skipped by a DST jump maps to an instant on the wrong side of `from`: keep walking.
    if (dir < 0 ? instant < fromMs : instant > fromMs) return new Date(instant);
    cursor += dir * MS_PER_SECOND;
  }
  throw new Error(
    `cron ${JSON.stringify(expr.source)} has no tick within ${SEARCH_LIMIT_MS / MS_PER_DAY} days`,
  );
}

/** fugit's `previous_time`: `from` truncated to the whole second, the latest tick strictly before it. */
export function previousTick(expr: CronExpression, from: Date = new Date()): Date {
  return search(expr, Math.floor(from.getTime() / MS_PER_SECOND) * MS_PER_SECOND, -1);
}

/** fugit's `next_time`: the earliest tick strictly after `from` (whole seconds). */
export function nextTick(expr: CronExpression, from: Date = new Date()): Date {
  return search(expr, Math.floor(from.getTime() / MS_PER_SECOND) * MS_PER_SECOND, 1);
}
