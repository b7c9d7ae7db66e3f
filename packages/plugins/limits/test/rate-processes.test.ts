// A rate limit of R jobs per second shared by several worker processes (the built packages, one
// Redis): the observed rate over a run of about 6 s is within 10% of R, and no job is lost, failed
// or run twice because of the limit.

import { spawn } from "node:child_process";
import { generateJid } from "@kiq/core";
import { afterAll, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";

const RATE = 20;
const JOBS = 120;
const PROCESSES = 4;
const TOLERANCE = 0.1;
const FIXTURE = new URL("./fixtures/limited-worker.mjs", import.meta.url).pathname;

afterAll(closeAll);

describe("a rate limit shared by worker processes", () => {
  it(`holds ${RATE}/s within ${TOLERANCE * 100}% and loses or fails nothing`, async () => {
    const redis = await freshRedis();
    const jids = Array.from({ length: JOBS }, () => generateJid());
    await redis.lpush(
      "queue:limited",
      ...jids.map(
        (jid, i) =>
          `{"retry":true,"queue":"limited","class":"LimitedJob","args":[${i},1.0],"jid":"${jid}","created_at":1795378342.5,"enqueued_at":1795378342.5}`,
      ),
    );
    const children = Array.from({ length: PROCESSES }, () => {
      let output = "";
      const child = spawn("node", [FIXTURE], {
        env: { ...process.env, REDIS_URL: testRedisUrl(), LIMIT_RATE: String(RATE) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const collect = (chunk: Buffer) => {
        output += chunk;
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      return { child, exited, output: () => output };
    });
    try {
      const deadline = Date.now() + (JOBS / RATE) * 1000 * 2 + 10_000;
      while ((await redis.llen("limits-test:starts")) < JOBS) {
        if (Date.now() > deadline)
          throw new Error(
            `only ${await redis.llen("limits-test:starts")} of ${JOBS} ran:\n${children.map((c) => c.output()).join("\n")}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      for (const { child } of children) child.kill("SIGTERM");
      await Promise.all(children.map((c) => c.exited));
    }
    const starts = (await redis.lrange("limits-test:starts", 0, -1)).map(
      (entry) => JSON.parse(entry) as { jid: string; at: number },
    );
    const times = starts.map((s) => s.at).sort((a, b) => a - b);
    const observed = (times.length - 1) / (((times.at(-1) as number) - (times[0] as number)) / 1000);
    console.log(
      `observed ${observed.toFixed(2)} jobs/s for a limit of ${RATE}/s over ${((times.at(-1) as number) - (times[0] as number)) / 1000} s`,
    );
    expect(Math.abs(observed - RATE) / RATE).toBeLessThan(TOLERANCE);
    expect(starts.map((s) => s.jid).sort()).toEqual([...jids].sort()); // each once
    expect(await redis.zcard("retry")).toBe(0);
    expect(await redis.zcard("dead")).toBe(0);
    expect(await redis.zcard("schedule")).toBe(0);
    expect(await redis.llen("queue:limited")).toBe(0);
  });
});
