/** The time texts sidekiq-cron 1.8.0 writes and reads. */

const MS_PER_SECOND = 1000;
const pad = (n: number) => String(n).padStart(2, "0");

/** `last_enqueue_time` / jid_history `enqueued`: Ruby `%Y-%m-%d %H:%M:%S %z` of a UTC time. */
export function formatEnqueueTime(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

/** Ruby's `Time#to_s` of a UTC time (`2026-11-22 20:12:10 UTC`): what 2.x's jid history holds. */
export function formatRubyUtcTime(d: Date): string {
  return `${formatEnqueueTime(d).slice(0, -"+0000".length)}UTC`;
}

/**
 * Reads `%Y-%m-%d %H:%M:%S %z`, and the Ruby `Time#to_s` form (`… UTC`) a Ruby re-save writes;
 * anything else through Date's own parser. Empty or unreadable → undefined.
 */
export function parseEnqueueTime(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) (?:([+-])(\d{2}):?(\d{2})|UTC)$/.exec(
    text.trim(),
  );
  if (m) {
    const [, y, mo, d, h, mi, s, sign, oh, om] = m;
    const offsetMin = sign ? (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
    const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    return new Date(utc - offsetMin * 60 * MS_PER_SECOND);
  }
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** The `:enqueued` member for a tick: UTC ISO 8601 to the second (`2026-11-22T20:12:50Z`). */
export function tickMember(tick: Date): string {
  return `${tick.toISOString().slice(0, 19)}Z`;
}

/** Seconds since the epoch, as a ZADD score. */
export const epochSeconds = (d: Date) => d.getTime() / MS_PER_SECOND;
