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
const MS_PER_DAY = 86_400_000;
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

/**
 * Every instant (ms) at which `zone` shows wall clock `w`, ascending: none in a DST gap, two in a
 * DST overlap (fugit fires a cron at both). Probes the offsets a day either side of it.
 */
export function instantsOf(w: WallClock, zone: string): number[] {
  const local = wallClockMs(w);
  const found = new Set<number>();
  for (const probe of [local - MS_PER_DAY, local + MS_PER_DAY]) {
    const candidate = local - offsetMs(probe, zone);
    if (wallClockMs(wallClockAt(candidate, zone)) === local) found.add(candidate);
  }
  return [...found].sort((a, b) => a - b);
}

/** `zone`'s UTC offsets (ms) at `ms − windowMs` and `ms + windowMs`: two values when a DST change is near. */
export function offsetsAround(ms: number, zone: string, windowMs: number): [number, number] {
  return [offsetMs(ms - windowMs, zone), offsetMs(ms + windowMs, zone)];
}

/** The first instant (whole second) in (loMs, hiMs] at which `zone`'s offset differs from its offset at `loMs`. */
export function offsetChangeAfter(loMs: number, hiMs: number, zone: string): number {
  const before = offsetMs(loMs, zone);
  let lo = Math.floor(loMs / MS_PER_SECOND);
  let hi = Math.ceil(hiMs / MS_PER_SECOND);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(mid * MS_PER_SECOND, zone) === before) lo = mid;
    else hi = mid;
  }
  return hi * MS_PER_SECOND;
}
