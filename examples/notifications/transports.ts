// How each channel delivers. The log channel appends to a file; email, browser and chat are fakes
// that record what they would send in Redis lists (`notifications:outbox:<channel>`), where the
// example's summary and tests read them. Swap in your mailer, push service and chat webhook.

import { appendFile } from "node:fs/promises";
import type { Redis } from "ioredis";
import { type Channel, messageFor, type Notification } from "./notification.js";

export type Transport = (notification: Notification) => Promise<void>;
export type Transports = Record<Channel, Transport>;

export const outboxKey = (channel: Channel) => `notifications:outbox:${channel}`;

/** What a fake transport records: the notification as received, and the text it would send. */
export interface Sent {
  dedup_key: string;
  amount: string;
  text: string;
}

export function fakeTransports(redis: Redis, logFile: string): Transports {
  const record = (channel: Channel) => async (n: Notification) => {
    const sent: Sent = { dedup_key: n.dedup_key, amount: n.amount, text: messageFor(n) };
    await redis.rpush(outboxKey(channel), JSON.stringify(sent));
  };
  return {
    log: (n) => appendFile(logFile, `${n.dedup_key} ${messageFor(n)}\n`),
    email: record("email"),
    browser: record("browser"),
    chat: record("chat"),
  };
}
