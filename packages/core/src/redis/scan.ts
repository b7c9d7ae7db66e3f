// Reading whole sets the way Sidekiq does (`sscan(key).to_a`): in SSCAN steps, so a large set never
// blocks Redis, with the repeats SSCAN may return removed.

import type { Redis } from "ioredis";

export async function scanSetMembers(redis: Redis, key: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = "0";
  do {
    const [next, members] = await redis.sscan(key, cursor);
    for (const member of members) found.add(member);
    cursor = next;
  } while (cursor !== "0");
  return [...found];
}
