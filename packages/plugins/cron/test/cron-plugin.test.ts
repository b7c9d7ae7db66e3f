import { definePlugin, Kiq } from "@kiq/core";
import { CronStore, CronSyntaxError, cron } from "@kiq/cron";
import { uniqueJobs } from "@kiq/unique-jobs";
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

  it("rejects a bad layout or a namespace without layout 2.x at load", () => {
    expect(() => cron({ layout: "3.x" as "2.x" })).toThrow(/layout must be "1.x" or "2.x"/);
    expect(() => cron({ namespace: "billing" })).toThrow(/need layout "2.x"/);
    const job = { name: "x", cron: "0 * * * *", klass: "X", namespace: "billing" };
    expect(() => cron({ jobs: [job] })).toThrow(/namespaces need layout "2.x"/);
    expect(() => cron({ layout: "2.x", jobs: [job] })).toThrow(/"billing" is not in availableNamespaces/);
    expect(() => cron({ layout: "2.x", availableNamespaces: ["billing"], jobs: [job] })).not.toThrow();
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

describe("cron's pushes go through the worker's client middleware (host.push)", () => {
  it("another plugin's middleware stamps them, and unique-jobs locks them and drops a duplicate tick", async () => {
    const redis = await freshRedis();
    const stamp = definePlugin("stamp", (host) => {
      host.clientMiddleware.use(async ({ job }, next) => {
        job.stamped_by = "test-plugin";
        await next();
      });
    });
    const kiq = new Kiq({ url: testRedisUrl(), queues: ["unused"], logger: pino({ level: "silent" }) })
      .use(
        cron({
          pollInterval: 1,
          layout: "2.x",
          jobs: [
            { name: "plain", cron: "* * * * * *", klass: "Tick", queue: QUEUE, args: ["plain"] },
            {
              name: "unique",
              cron: "* * * * * *",
              klass: "Tick",
              queue: QUEUE,
              args: ["unique"],
              options: { lock: "until_executed" },
            },
          ],
        }),
      )
      .use(stamp)
      .use(uniqueJobs());
    await kiq.start();
    const store = new CronStore(redis, { layout: "2.x" });
    try {
      const deadline = Date.now() + WAIT_MS;
      while ((await store.jidHistory("unique")).length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await kiq.stop();
    }
    const jobs = (await redis.lrange(`queue:${QUEUE}`, 0, -1)).map((s) => JSON.parse(s));
    expect(jobs.filter((j) => j.args[0] === "plain").length).toBeGreaterThanOrEqual(1);
    for (const job of jobs) expect(job.stamped_by, JSON.stringify(job)).toBe("test-plugin");
    // The first tick took the lock; later ticks were claimed but the push was a duplicate: jid null, as Ruby records nil.
    const unique = jobs.filter((j) => j.args[0] === "unique");
    expect(unique).toHaveLength(1);
    expect(unique[0]).toMatchObject({
      lock: "until_executed",
      lock_digest: expect.stringMatching(/^uniquejobs:/),
    });
    const history = await store.jidHistory("unique");
    expect(history.at(-1)?.jid).toBe(unique[0].jid);
    expect(history[0]?.jid).toBeNull();
  });
});
