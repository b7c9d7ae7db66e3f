import { Redis } from "ioredis";
import type { Logger } from "pino";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface RedisOptions {
  /** Redis URL; default `REDIS_URL` from the environment, else redis://127.0.0.1:6379. */
  url?: string;
  /** An existing ioredis connection to use instead (kiq will not close it). */
  redis?: Redis;
}

/** The connection to use and whether kiq owns it (and so closes it). */
export function openRedis(options: RedisOptions): { redis: Redis; owned: boolean } {
  if (options.redis) return { redis: options.redis, owned: false };
  const url = options.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  // Lazy: a client made in a test's fake mode, or never used, opens no connection.
  return { redis: new Redis(url, { lazyConnect: true }), owned: true };
}

/**
 * Logs a connection's errors once per outage (ioredis reconnects by itself, retrying every few
 * hundred ms) and its recovery; `lastError()` is the error while the outage lasts.
 */
export function watchConnection(connection: Redis, logger: Logger): { lastError(): Error | undefined } {
  let lastError: Error | undefined;
  connection.on("error", (error: Error) => {
    if (!lastError) logger.error({ err: error }, "Redis connection lost; reconnecting");
    lastError = error;
  });
  connection.on("ready", () => {
    if (lastError) logger.info("Redis connection restored");
    lastError = undefined;
  });
  return { lastError: () => lastError };
}
