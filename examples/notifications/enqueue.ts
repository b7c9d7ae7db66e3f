// The Node twin of rails/notifier.rb: one job per channel for a notification. Node code (and the
// handlers' tests) enqueue exactly what the Rails app does.

import type { Client } from "@kiq/core";
import { CHANNELS, classFor, type Notification, queueFor } from "./notification.js";

export function notify(client: Client, notification: Notification): Promise<(string | null)[]> {
  return Promise.all(
    CHANNELS.map((channel) =>
      client.push({ class: classFor(channel), queue: queueFor(channel), args: [{ ...notification }] }),
    ),
  );
}
