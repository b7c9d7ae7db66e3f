import type { CronExpression, WeekdaySpec } from "./cron-expression.js";
import {
  instantOf,
  instantsOf,
  offsetChangeAfter,
  offsetsAround,
  type WallClock,
  wallClockAt,
  wallClockFromMs,
  wallClockMs,
} from "./time-zone.js";

const MS_PER_SECOND = 1000;
const MS_PER_DAY = 86_400_000;
const DAYS_PER_WEEK = 7;
const MS_PER_WEEK = MS_PER_DAY * DAYS_PER_WEEK;
/** et-orbi counts `rweek` (for `dow%n`) from this local midnight. */
const RWEEK_EPOCH = { year: 2019, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
/** No cron fugit accepts goes this long without a tick (leap-day crons: 8 years); a guard, not a limit. */
const SEARCH_LIMIT_MS = 9 * 366 * MS_PER_DAY;
const UTC = "UTC";
/** Longer than any DST shift: a change of offset this close to `from` makes a search mind the order of instants. */
const DST_NEAR_MS = 4 * 3_600_000;

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
 * The wall clock (from `cursor` on, in direction `dir`) that could still be an instant between `best`
 * and `from`, or undefined when none can: a wall clock is the instant plus one of the offsets.
 */
function wallClockNearer(cursor: number, fromMs: number, best: number, offsets: number[], dir: 1 | -1) {
  const windows = offsets.map((offset) =>
    dir < 0 ? [best + offset, fromMs + offset] : [fromMs + offset, best + offset],
  ) as [number, number][];
  if (windows.some(([lo, hi]) => cursor > lo && cursor < hi)) return cursor;
  // Else jump to the next window's first whole second (a window of one second or less has none).
  const ahead = windows
    .filter(([lo, hi]) => hi - lo > MS_PER_SECOND)
    .map(([lo, hi]) => (dir < 0 ? hi - MS_PER_SECOND : lo + MS_PER_SECOND))
    .filter((entry) => (dir < 0 ? entry < cursor : entry > cursor));
  if (ahead.length === 0) return undefined;
  return dir < 0 ? Math.max(...ahead) : Math.min(...ahead);
}

/**
 * The matching instant nearest `fromMs` in direction `dir` (-1 back, +1 forward), as fugit finds it:
 * an instant matches when its wall clock in the cron's zone does, so a wall clock a DST gap skips
 * never fires and one an overlap repeats fires twice. Walks wall-clock time, skipping whole
 * months/days/hours/minutes that cannot match. Near a DST change wall clocks and instants are not in
 * the same order, so the walk starts a window earlier and goes on past its first match as long as
 * a wall clock can still be a nearer instant.
 */
function search(expr: CronExpression, fromMs: number, dir: 1 | -1): Date {
  const zone = expr.zone ?? UTC;
  const offsets = zone === UTC ? [0, 0] : offsetsAround(fromMs, zone, DST_NEAR_MS);
  const shifting = offsets[0] !== offsets[1];
  // The first wall clock that can be an instant beyond `from` (a wall clock is the instant + offset).
  const start = fromMs + (dir < 0 ? Math.max(...offsets) : Math.min(...offsets));
  let cursor = (shifting ? start : wallClockMs(wallClockAt(fromMs, zone))) + dir * MS_PER_SECOND;
  const stop = cursor + dir * SEARCH_LIMIT_MS;
  let best: number | undefined;
  const passed = (limit: number) => (dir < 0 ? cursor < limit : cursor > limit);
  while (!passed(stop)) {
    if (best !== undefined) {
      const next = wallClockNearer(cursor, fromMs, best, offsets, dir);
      if (next === undefined) return new Date(best);
      cursor = next;
    }
    const w = wallClockFromMs(cursor);
    const align = (unitStart: number, unitMs: number) => {
      cursor = dir < 0 ? unitStart - MS_PER_SECOND : unitStart + unitMs;
    };
    if (!has(expr.months, w.month)) {
      const start = Date.UTC(w.year, w.month - 1, 1);
      align(start, Date.UTC(w.year, w.month, 1) - start);
      continue;
    }
    if (!dayMatches(expr, w, zone, instantOf(w, zone))) {
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
    if (expr.seconds.includes(w.second)) {
      const instants = instantsOf(w, zone);
      if (instants.length === 0 && shifting) {
        // A DST gap: no wall clock in it is an instant; go on from its far side.
        const [low, high] = [Math.min(...offsets), Math.max(...offsets)];
        const change = offsetChangeAfter(cursor - high, cursor - low, zone);
        cursor = dir > 0 ? change + high : change + low - MS_PER_SECOND;
        continue;
      }
      const beyond = instants.filter((i) => (dir < 0 ? i < fromMs : i > fromMs));
      if (beyond.length > 0) {
        const nearest = dir < 0 ? Math.max(...beyond) : Math.min(...beyond);
        if (!shifting) return new Date(nearest);
        best = best === undefined ? nearest : dir < 0 ? Math.max(best, nearest) : Math.min(best, nearest);
      }
    }
    cursor += dir * MS_PER_SECOND;
  }
  if (best !== undefined) return new Date(best);
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
