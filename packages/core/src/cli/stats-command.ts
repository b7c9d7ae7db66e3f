import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { compareLikeRuby } from "../api/ruby.js";
import { Stats } from "../api/stats.js";
import { DEFAULT_REDIS_URL } from "../redis/connection.js";

/** Prints what Sidekiq's dashboard shows at the top: counters, set sizes, queues and processes. */
export async function statsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { redis: { type: "string" } }, strict: true });
  const redis = new Redis(values.redis ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL);
  try {
    const stats = new Stats({ redis });
    const { processed, failed, scheduledSize, retrySize, deadSize, processesSize } = await stats.fetch();
    console.log(
      `Processed: ${processed}\nFailed:    ${failed}\nScheduled: ${scheduledSize}\nRetries:   ${retrySize}\nDead:      ${deadSize}\nProcesses: ${processesSize}`,
    );
    console.log("\nQueues:");
    const queues = [...(await stats.queues())].sort(([a], [b]) => compareLikeRuby(a, b));
    for (const [queue, size] of queues) console.log(`  ${queue.padEnd(24)} ${size}`);
  } finally {
    redis.disconnect();
  }
}
