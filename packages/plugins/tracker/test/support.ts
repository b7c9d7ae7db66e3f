// Shared helpers for the tracker's tests: a silent logger, jobs as Ruby writes them, waiting.

import { type FetcherContext, QueueList } from "@kiq/core";
import type { Redis } from "ioredis";
import pino from "pino";

export const silent = pino({ level: "silent" });

/** A job payload string as Sidekiq writes it. */
export function rubyJob(jid: string, queue = "default", extra = ""): string {
  return `{"retry":true,"queue":"${queue}","args":[1.0,[],{"a":12345678901234567890}],"class":"SlowJob","jid":"${jid}","created_at":1795378518.3579154,"enqueued_at":1795378518.358027${extra}}`;
}

export function fetcherContext(
  redis: Redis,
  queues: string[],
  identity = "node:1:abcdef012345",
): FetcherContext {
  return { redis, popper: redis.duplicate(), queues: new QueueList(queues), identity, logger: silent };
}

export async function until(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
