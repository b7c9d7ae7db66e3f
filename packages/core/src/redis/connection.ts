import { Redis } from "ioredis";

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
  return { redis: new Redis(url, { lazyConnect: false }), owned: true };
}
