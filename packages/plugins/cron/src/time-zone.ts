/** Wall-clock time in an IANA zone, as fugit/et-orbi compute it, via Intl (no tz database of our own). */

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MS_PER_SECOND = 1000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when Intl knows the zone name (e.g. "Europe/Berlin", "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `zone` at the instant `epochMs` (whole seconds). */
export function wallClockAt(epochMs: number, zone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(epochMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** A wall clock read as if it were UTC, in ms: arithmetic on wall clocks without zone effects. */
export function wallClockMs(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

export function wallClockFromMs(ms: number): WallClock {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

function offsetMs(epochMs: number, zone: string): number {
  const truncated = Math.floor(epochMs / MS_PER_SECOND) * MS_PER_SECOND;
  return wallClockMs(wallClockAt(truncated, zone)) - truncated;
}

/** The instant (ms) at which `zone` shows wall clock `w` (in a DST overlap: the earlier offset guess). */
export function instantOf(w: WallClock, zone: string): number {
  const local = wallClockMs(w);
  const guess = local - offsetMs(local, zone);
  return local - offsetMs(guess, zone);
}
