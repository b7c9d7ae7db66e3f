// The handlers' own tests, without a worker: @kiq/core/testing captures what `notify` enqueues (fake
// mode) or runs it at once (inline mode) through the real handlers. The dedup keys live in the test
// run's real Redis, as they do in production.

import { Client } from "@kiq/core";
import { Testing } from "@kiq/core/testing";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis } from "../../test/support/redis.js";
import { notify } from "./enqueue.js";
import { notificationJobs } from "./handlers.js";
import { CHANNELS, classFor, type Notification, queueFor } from "./notification.js";
import type { Transports } from "./transports.js";

const paid: Notification = {
  dedup_key: "order-42/paid",
  user_id: 42,
  event: "payment_received",
  amount: "12.30",
  currency: "EUR",
};

/** Transports that remember what they sent; `failNext` makes a channel's next send fail once. */
function recordingTransports() {
  const sent: Record<string, Notification[]> = { log: [], email: [], browser: [], chat: [] };
  const failNext = new Set<string>();
  const transports = Object.fromEntries(
    CHANNELS.map((channel) => [
      channel,
      async (n: Notification) => {
        if (failNext.delete(channel)) throw new Error(`${channel} service unavailable`);
        sent[channel]?.push(n);
      },
    ]),
  ) as Transports;
  return { sent, failNext, transports };
}

let redis: Redis;
let client: Client;
let outbox: ReturnType<typeof recordingTransports>;

beforeEach(async () => {
  redis = await freshRedis();
  client = new Client({ redis });
  outbox = recordingTransports();
  Testing.fake();
  Testing.register(...notificationJobs({ redis, transports: outbox.transports }));
});
afterEach(() => Testing.reset());
afterAll(closeAll);

describe("notification handlers (fake mode)", () => {
  it("notify enqueues one job per channel, on the channel's queue, the amount as a string", async () => {
    await notify(client, paid);
    for (const channel of CHANNELS) {
      expect(Testing.jobsFor(classFor(channel))).toEqual([
        expect.objectContaining({ queue: queueFor(channel), args: [paid] }),
      ]);
    }
  });

  it("each channel sends once, with the amount as enqueued", async () => {
    await notify(client, { ...paid, amount: "92233720368547758.07" });
    expect(await Testing.drainAll()).toBe(4);
    for (const channel of CHANNELS) {
      expect(outbox.sent[channel]?.map((n) => n.amount)).toEqual(["92233720368547758.07"]);
    }
  });

  it("the same notification enqueued twice is sent once per channel", async () => {
    await notify(client, paid);
    await notify(client, paid);
    expect(await Testing.drainAll()).toBe(8); // eight jobs ran…
    for (const channel of CHANNELS) expect(outbox.sent[channel]).toHaveLength(1); // …four sends
  });

  it("a malformed notification fails with a clear error and sends nothing", async () => {
    await notify(client, { ...paid, amount: 12.3 as unknown as string });
    await expect(Testing.drainAll()).rejects.toThrow(
      'amount must be a decimal string such as "12.30", got "12.3"',
    );
    expect(Object.values(outbox.sent).flat()).toEqual([]);
  });
});

describe("notification handlers (inline mode)", () => {
  it("a send that failed is sent by the retried enqueue, and only once", async () => {
    outbox.failNext.add("chat");
    await Testing.inline(async () => {
      await expect(notify(client, paid)).rejects.toThrow("chat service unavailable");
      await notify(client, paid); // the app retries the whole notification
    });
    for (const channel of CHANNELS) expect(outbox.sent[channel]).toHaveLength(1);
  });
});
