// Workers a test started (stopped after each test) and polling until something is true.

import { type defineJob, Kiq } from "@kiq/core";
import pino from "pino";
import { testRedisUrl } from "../../../../../test/support/redis.js";
import { uniqueJobs } from "../../src/index.js";

const started: Kiq[] = [];

/** Remembers a worker so that stopWorkers() stops it. */
export function track(kiq: Kiq): Kiq {
  started.push(kiq);
  return kiq;
}

export async function stopWorkers(): Promise<void> {
  await Promise.all(started.splice(0).map((kiq) => kiq.stop()));
}

/** Polls `check` every 20 ms until it is true; throws after `ms`. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a silent worker on queue "u" with the plugin (and whatever `extra` adds) and these jobs. */
export async function startWorker(
  jobs: ReturnType<typeof defineJob>[],
  extra?: (kiq: Kiq) => void,
): Promise<Kiq> {
  const kiq = new Kiq({
    url: testRedisUrl(),
    queues: ["u"],
    timeout: 1,
    logger: pino({ level: "silent" }),
    jobs,
  });
  kiq.use(uniqueJobs());
  extra?.(kiq);
  track(kiq);
  await kiq.start();
  return kiq;
}
