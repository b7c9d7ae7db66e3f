// The Node side: one job class per channel (Notifications::Log, ::Email, ::Browser, ::Chat), each on
// its own queue, so a chat outage retries chat messages alone and a worker can serve one channel.

import { defineJob, type JobContext, type JobDefinition } from "@kiq/core";
import type { Redis } from "ioredis";
import {
  CHANNELS,
  type Channel,
  classFor,
  MalformedNotification,
  queueFor,
  readNotification,
} from "./notification.js";
import { sendOnce, sentKey } from "./send-once.js";
import type { Transports } from "./transports.js";

export interface HandlerDeps {
  /** Where sent dedup keys are kept. */
  redis: Redis;
  transports: Transports;
}

export function notificationJob(channel: Channel, { redis, transports }: HandlerDeps): JobDefinition {
  return defineJob(
    classFor(channel),
    async function (this: JobContext, argument: unknown) {
      const notification = readNotification(argument);
      const key = sentKey(channel, notification.dedup_key);
      const sent = await sendOnce(redis, key, () => transports[channel](notification));
      this.logger.info(
        { dedup_key: notification.dedup_key, channel },
        sent ? "notification sent" : "notification already sent, skipped",
      );
    },
    {
      queue: queueFor(channel),
      // A malformed notification will not improve with retries: straight to the dead set.
      retryIn: (_count, error) => (error instanceof MalformedNotification ? "kill" : undefined),
    },
  );
}

export const notificationJobs = (deps: HandlerDeps) =>
  CHANNELS.map((channel) => notificationJob(channel, deps));
