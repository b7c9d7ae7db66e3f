// Server conflict strategies: a while_executing (or until_and_while_executing) duplicate that cannot
// take D:RUN within its wait goes to the server strategy, as sidekiq-unique-jobs 8.1.0's
// WhileExecuting#execute does: log, raise (the job fails and is retried), reject (the stored job,
// byte for byte, to the dead set), reschedule (a new job in 5 s).

import { Client, defineJob, Kiq } from "@kiq/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { capturedLogger } from "../../../../test/support/captured-logger.js";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { uniqueJobs } from "../src/index.js";
import { rescheduledJob } from "../src/strategies.js";
import { eventually, stopWorkers, track } from "./support/workers.js";

const SIDEKIQ_VERSION = 8;
/** Longer than the gem's 1-second minimum wait, so the duplicate's wait runs out. */
const RUN_MS = 2500;
const STRATEGIES = ["log", "raise", "reject", "reschedule"] as const;

afterEach(stopWorkers);
afterAll(closeAll);

describe("server conflict strategies", () => {
  it("each strategy acts on the duplicate that could not take D:RUN; one of each pair runs", async () => {
    const redis = await freshRedis();
    const ran: Record<string, number> = {};
    const jobs = [...STRATEGIES, "until_and_while", "reject_alias"].map((name) =>
      defineJob(`W_${name}`, async () => {
        ran[name] = (ran[name] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, RUN_MS));
      }),
    );
    const client = new Client({ redis, sidekiqVersion: SIDEKIQ_VERSION }).use(uniqueJobs());
    for (const strategy of STRATEGIES) {
      for (let i = 0; i < 2; i++)
        await client.push({
          class: `W_${strategy}`,
          queue: "w",
          args: [1],
          lock: "while_executing",
          on_conflict: strategy,
        });
    }
    // The gem's while_executing_reject: while_executing whose server strategy is always reject.
    for (let i = 0; i < 2; i++)
      await client.push({ class: "W_reject_alias", queue: "w", args: [1], lock: "while_executing_reject" });
    const untilAndWhile = {
      class: "W_until_and_while",
      queue: "w",
      args: [1],
      lock: "until_and_while_executing",
      on_conflict: { client: "log", server: "reject" },
    };
    await client.push(untilAndWhile);
    const queued = await redis.lrange("queue:w", 0, -1);

    const { logger, lines } = capturedLogger("debug");
    const kiq = new Kiq({ url: testRedisUrl(), queues: ["w"], concurrency: 10, timeout: 1, logger, jobs });
    kiq.use(uniqueJobs());
    track(kiq);
    await kiq.start();
    // The second until_and_while_executing job can be queued once the first has started (D released).
    await eventually(() => ran.until_and_while === 1);
    const second = await client.push(untilAndWhile);
    expect(second).toBeTypeOf("string");
    const stored = (className: string) => queued.filter((job) => JSON.parse(job).class === className);

    await eventually(async () => (await redis.zcard("dead")) === 3 && (await redis.zcard("retry")) === 1);
    await eventually(() => Object.values(ran).reduce((a, b) => a + b, 0) === 6);
    expect(ran).toEqual({ log: 1, raise: 1, reject: 1, reschedule: 1, until_and_while: 1, reject_alias: 1 });

    // reject: the stored string itself, for both lock types
    const dead = await redis.zrange("dead", 0, -1);
    expect(dead.filter((job) => stored("W_reject").includes(job))).toHaveLength(1);
    expect(dead.map((job) => JSON.parse(job).jid)).toContain(second);
    expect(dead.filter((job) => JSON.parse(job).class === "W_reject_alias")).toHaveLength(1);
    // raise: failed with the conflict, so it is retried
    const [retried] = await redis.zrange("retry", 0, -1);
    expect(JSON.parse(String(retried))).toMatchObject({
      class: "W_raise",
      error_class: "UniqueConflictError",
    });
    // reschedule: a new job, 5 s out
    const [rescheduled] = await redis.zrange("schedule", 0, -1);
    const job = JSON.parse(String(rescheduled));
    expect(job).toMatchObject({ class: "W_reschedule", queue: "w", args: [1], lock: "while_executing" });
    expect(stored("W_reschedule").map((entry) => JSON.parse(entry).jid)).not.toContain(job.jid);
    // log: the gem's message, naming the runtime digest
    expect(
      lines.some((line) =>
        /^Skipping job with id \(\w{24}\) because lock_digest: \(uniquejobs:\w+:RUN\) already exists$/.test(
          String(line.msg),
        ),
      ),
    ).toBe(true);
  });

  it("reschedule pushes a fresh job: the class, queue, args and options, not what earlier runs wrote", () => {
    const retried = {
      class: "W",
      queue: "w",
      args: [1],
      lock: "while_executing",
      lock_ttl: 60,
      jid: "0".repeat(24),
      created_at: 1,
      enqueued_at: 2,
      lock_digest: "uniquejobs:x:RUN",
      lock_args: [1],
      retry_count: 2,
      failed_at: 3,
      retried_at: 4,
      error_message: "boom",
      error_class: "Error",
      error_backtrace: "eJy",
    };
    expect(rescheduledJob(retried, 100)).toEqual({
      class: "W",
      queue: "w",
      args: [1],
      lock: "while_executing",
      lock_ttl: 60,
      rescheduled: true,
      at: 105,
    });
  });
});
