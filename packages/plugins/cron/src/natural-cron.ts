import { isTimeZone } from "./time-zone.js";

/** The common natural forms sidekiq-cron accepts through fugit's `Fugit::Nat`, turned into classic cron text. */

const DAY_WORDS: Record<string, string> = {
  sunday: "0",
  monday: "1",
  tuesday: "2",
  wednesday: "3",
  thursday: "4",
  friday: "5",
  saturday: "6",
  weekday: "1,2,3,4,5",
  weekend: "0,6",
  day: "*",
};
const UNIT_MAX: Record<string, number> = { second: 60, minute: 60, hour: 24 };
const NOON_HOUR = 12;
const HALF_DAY = 12;

function steps(every: number, limit: number): string {
  const out: number[] = [];
  for (let v = 0; v < limit; v += every) out.push(v);
  return out.join(",");
}

/** "noon", "midnight", "11:00", "8am", "5:30pm" → [hour, minute], or undefined. */
function parseTimeOfDay(text: string): [number, number] | undefined {
  if (text === "noon") return [NOON_HOUR, 0];
  if (text === "midnight") return [0, 0];
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/.exec(text);
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? 0);
  if (m[3] === "pm" && hour < HALF_DAY) hour += HALF_DAY;
  if (m[3] === "am" && hour === HALF_DAY) hour = 0;
  if (hour > 23 || minute > 59) return undefined;
  return [hour, minute];
}

/** Returns classic cron text (with a trailing zone when one was named), or undefined if not understood. */
export function naturalToCron(input: string): string | undefined {
  let words = input.trim().split(/\s+/);
  let zone = "";
  const last = words[words.length - 1] ?? "";
  if (words.length > 1 && /[A-Z/]/.test(last) && isTimeZone(last)) {
    zone = ` ${last}`;
    words = words.slice(0, -1);
  }
  const text = words.join(" ").toLowerCase();
  const interval = /^every (\d+ )?(second|minute|hour)s?$/.exec(text);
  if (interval) {
    const unit = interval[2] ?? "";
    const every = Number(interval[1] ?? 1);
    const limit = UNIT_MAX[unit] ?? 0;
    if (every < 1 || every > limit) return undefined;
    const list = every === 1 ? "*" : steps(every, limit);
    if (unit === "second") return `${list} * * * * *${zone}`;
    if (unit === "minute") return `${list} * * * *${zone}`;
    return `0 ${list} * * *${zone}`;
  }
  const daily = /^every (\w+?)s? at (.+)$/.exec(text) ?? /^every (\w+?)s?$/.exec(text);
  if (daily) {
    const days = DAY_WORDS[daily[1] ?? ""];
    if (days === undefined) return undefined;
    const at = daily[2] === undefined ? [0, 0] : parseTimeOfDay(daily[2]);
    if (!at) return undefined;
    return `${at[1]} ${at[0]} * * ${days}${zone}`;
  }
  return undefined;
}
