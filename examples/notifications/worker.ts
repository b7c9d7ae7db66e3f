// A kiq worker for every notification queue. Run one per channel instead by giving it one queue.

import { Kiq } from "@kiq/core";
import type { Logger } from "pino";
import { type HandlerDeps, notificationJobs } from "./handlers.js";
import { CHANNELS, queueFor } from "./notification.js";

export interface WorkerOptions extends HandlerDeps {
  url: string;
  logger?: Logger;
}

export function notificationWorker({ url, logger, ...deps }: WorkerOptions): Kiq {
  return new Kiq({
    url,
    queues: CHANNELS.map(queueFor),
    concurrency: 10,
    ...(logger && { logger }),
    jobs: notificationJobs(deps),
  });
}
