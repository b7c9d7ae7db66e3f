// Starting and driving a real kiq worker against the test run's private redis-server.

import type { Redis } from "ioredis";
import { pino } from "pino";
import { testRedisUrl } from "../../../test/support/redis.js";
import { Kiq, type KiqOptions } from "../src/index.js";

const started: Kiq[] = [];

/** A started worker on the test database; stopped by stopWorkers(). */
export async function startWorker(options: KiqOptions = {}): Promise<Kiq> {
  const kiq = new Kiq({
    url: testRedisUrl(),
    logger: pino({ level: process.env.KIQ_TEST_LOG ?? "silent" }),
    pollIntervalAverage: 0.2,
    heartbeatInterval: 200,
    timeout: 2,
    ...options,
  });
  started.push(kiq);
  await kiq.start();
  return kiq;
}

export async function stopWorkers(): Promise<void> {
  await Promise.all(started.splice(0).map((kiq) => kiq.stop()));
}

/** Polls `check` until it returns a truthy value or `ms` passes. */
export async function eventually<T>(check: () => Promise<T> | T, ms = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Members of a sorted set with their scores. */
export async function zsetEntries(redis: Redis, key: string): Promise<{ value: string; score: number }[]> {
  const flat = await redis.zrange(key, 0, -1, "WITHSCORES");
  const entries: { value: string; score: number }[] = [];
  for (let i = 0; i < flat.length; i += 2)
    entries.push({ value: flat[i] as string, score: Number(flat[i + 1]) });
  return entries;
}

/** Kills a worker's Redis connections (found by their kiq:<identity> names), as a network drop would. */
export async function killConnections(redis: Redis, identity: string): Promise<number> {
  const list = (await redis.client("LIST")) as string;
  const ids = list
    .split("\n")
    .filter((line) => line.includes(` name=kiq:${identity}`))
    .map((line) => /\bid=(\d+)/.exec(line)?.[1] as string);
  for (const id of ids) await redis.client("KILL", "ID", id);
  return ids.length;
}
