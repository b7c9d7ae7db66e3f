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

/** A connection's outage as `watchConnection` sees it. */
export interface ConnectionWatch {
  /** The latest error while the outage lasts, else undefined. */
  lastError(): Error | undefined;
  /** Epoch ms the outage began (the connection closed or failed), else undefined. */
  failingSince(): number | undefined;
}

/**
 * Logs a connection's errors once per outage (ioredis reconnects by itself, retrying every few
 * hundred ms) and its recovery, and remembers the outage until the connection is ready again.
 */
export function watchConnection(connection: Redis, logger: Logger): ConnectionWatch {
  let lastError: Error | undefined;
  let since: number | undefined;
  // A server that goes away closes the socket first; the errors come with the reconnect attempts.
  connection.on("close", () => {
    since ??= Date.now();
  });
  connection.on("error", (error: Error) => {
    if (!lastError) logger.error({ err: error }, "Redis connection lost; reconnecting");
    lastError = error;
    since ??= Date.now();
  });
  connection.on("ready", () => {
    if (lastError) logger.info("Redis connection restored");
    lastError = since = undefined;
  });
  return { lastError: () => lastError, failingSince: () => since };
}
