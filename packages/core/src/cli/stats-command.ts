import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { DEFAULT_REDIS_URL } from "../redis/connection.js";
import { DEAD, PROCESSES, QUEUES, queueKey, RETRY, SCHEDULE } from "../redis/keys.js";

/** Prints what Sidekiq's dashboard shows at the top: counters, set sizes, queues and processes. */
export async function statsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { redis: { type: "string" } }, strict: true });
  const redis = new Redis(values.redis ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL);
  try {
    const queues = (await redis.smembers(QUEUES)).sort();
    const pipeline = redis
      .pipeline()
      .get("stat:processed")
      .get("stat:failed")
      .zcard(SCHEDULE)
      .zcard(RETRY)
      .zcard(DEAD)
      .scard(PROCESSES);
    for (const queue of queues) pipeline.llen(queueKey(queue));
    const replies = ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return Number(value ?? 0);
    });
    const [processed, failed, scheduled, retries, dead, processes, ...sizes] = replies;
    console.log(
      `Processed: ${processed}\nFailed:    ${failed}\nScheduled: ${scheduled}\nRetries:   ${retries}\nDead:      ${dead}\nProcesses: ${processes}`,
    );
    console.log("\nQueues:");
    for (const [i, queue] of queues.entries()) console.log(`  ${queue.padEnd(24)} ${sizes[i]}`);
  } finally {
    redis.disconnect();
  }
}
