// Connections to the test run's private redis-server. Each vitest worker runs one file at a time
// and gets its own database (its pool id), so files running in parallel never see each other's keys.

import "./provided-context.js";
import { Redis } from "ioredis";
import { inject } from "vitest";

const clients: Redis[] = [];

export function testRedisPort(): number {
  return Number(process.env.KIQ_TEST_REDIS_PORT ?? inject("redisPort"));
}

/** This worker's database: pool ids run 1..N, and the server has 64 databases. */
export function testDb(): number {
  return Number(process.env.VITEST_POOL_ID ?? 1);
}

export function testRedisUrl(): string {
  return `redis://127.0.0.1:${testRedisPort()}/${testDb()}`;
}

/** A connection to this worker's database, emptied first. */
export async function freshRedis(): Promise<Redis> {
  const redis = new Redis(testRedisUrl());
  clients.push(redis);
  await redis.flushdb();
  return redis;
}

/** Disconnects every client freshRedis() made (call it in afterAll). */
export async function closeAll(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
}
