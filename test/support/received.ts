// What the Ruby job classes in fixtures/ruby/jobs.rb record when they run: one JSON entry per
// job, RPUSHed to a list that tests read with ioredis.

import type { Redis } from "ioredis";
import type { RubySidekiqServer } from "./ruby.js";

export const RECEIVED_KEY = "kiq-test:received";

/** Nested like the args: "Integer", "Float", "String", "NilClass", ..., arrays and hashes as such. */
export type RubyClassTree = string | RubyClassTree[] | { [key: string]: RubyClassTree };

export interface ReceivedJob {
  jid: string;
  class: string;
  /** Ruby's `args.inspect`, e.g. "[12345678901234567890, 1.0, -0.0]": shows Integer vs Float. */
  args_inspect: string;
  arg_classes: RubyClassTree[];
  queue: string | null;
  /** Sidekiq::VERSION of the process that ran the job. */
  sidekiq_version: string;
}

export async function receivedJobs(redis: Redis): Promise<ReceivedJob[]> {
  const entries = await redis.lrange(RECEIVED_KEY, 0, -1);
  return entries.map((entry) => JSON.parse(entry) as ReceivedJob);
}

/** Waits until at least `count` jobs were recorded; fails early (with its output) if `server` died. */
export async function waitForReceived(
  redis: Redis,
  count: number,
  opts: { timeoutMs?: number; server?: RubySidekiqServer } = {},
): Promise<ReceivedJob[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const received = await receivedJobs(redis);
    if (received.length >= count) return received;
    opts.server?.assertAlive();
    if (Date.now() > deadline) {
      const output = opts.server ? `\nserver output:\n${opts.server.output()}` : "";
      throw new Error(`expected ${count} received jobs, got ${received.length}${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
