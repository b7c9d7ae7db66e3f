// What the Rails app sends: one notification, delivered once on each channel by its own job class on
// its own queue. Money travels as a decimal string ("12.30"): a JSON number would come back as a
// double, losing the trailing zero and, past 2^53, the cents.

export const CHANNELS = ["log", "email", "browser", "chat"] as const;
export type Channel = (typeof CHANNELS)[number];

/** The Sidekiq class of a channel's job: `Notifications::Email`. */
export const classFor = (channel: Channel) =>
  `Notifications::${channel[0]?.toUpperCase()}${channel.slice(1)}`;
/** The queue of a channel's jobs: `notifications_email`. */
export const queueFor = (channel: Channel) => `notifications_${channel}`;

export interface Notification {
  /** The same event gets the same key, however many times it is enqueued: "order-42/paid". */
  dedup_key: string;
  user_id: number | bigint;
  event: string;
  /** A decimal as text, exactly as the app formatted it. */
  amount: string;
  currency: string;
}

/** A job whose argument is not a notification: retrying cannot fix it, so it goes to the dead set. */
export class MalformedNotification extends Error {
  override name = "MalformedNotification";
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The job's argument, checked: a clear error names what is wrong. */
export function readNotification(value: unknown): Notification {
  const n = (value ?? {}) as Partial<Record<keyof Notification, unknown>>;
  const problem =
    typeof n.dedup_key !== "string" || n.dedup_key === ""
      ? "dedup_key must be a non-empty string"
      : typeof n.amount !== "string" || !DECIMAL.test(n.amount)
        ? `amount must be a decimal string such as "12.30", got ${JSON.stringify(String(n.amount))}`
        : typeof n.currency !== "string" || typeof n.event !== "string"
          ? "currency and event must be strings"
          : undefined;
  if (problem) throw new MalformedNotification(problem);
  return n as Notification;
}

/** The text every channel sends; the amount is pasted, never computed with. */
export const messageFor = (n: Notification) => `${n.event}: ${n.amount} ${n.currency} (user ${n.user_id})`;
