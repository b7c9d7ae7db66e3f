import { Kiq } from "@kiq/core";
import { CronStore, CronSyntaxError, cron } from "@kiq/cron";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";

const QUEUE = "cronticks";
const WAIT_MS = 6000;

afterAll(closeAll);

describe("kiq.use(cron(...))", () => {
  it("rejects a bad cron when the plugin is made, before any worker starts", () => {
    expect(() => cron({ jobs: [{ name: "x", cron: "every fortnight", klass: "X" }] })).toThrow(
      CronSyntaxError,
    );
  });

  it("saves its jobs at start and a worker's poller enqueues them", async () => {
    const redis = await freshRedis();
    const kiq = new Kiq({ url: testRedisUrl(), queues: ["unused"], logger: pino({ level: "silent" }) }).use(
      cron({
        pollInterval: 1,
        jobs: [{ name: "every-second", cron: "* * * * * *", klass: "Tick", queue: QUEUE, args: [1] }],
      }),
    );
    await kiq.start();
    try {
      expect((await new CronStore(redis).find("every-second"))?.status).toBe("enabled");
      const deadline = Date.now() + WAIT_MS;
      while ((await redis.llen(`queue:${QUEUE}`)) < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await kiq.stop();
    }
    const jobs = (await redis.lrange(`queue:${QUEUE}`, 0, -1)).map((s) => JSON.parse(s));
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    expect(jobs[0]).toMatchObject({ class: "Tick", queue: QUEUE, args: [1] });
  });
});
