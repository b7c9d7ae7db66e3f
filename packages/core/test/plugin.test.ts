// The plugin contract, exercised by the worked example of docs/plugins.md on a real worker.

import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jobStats } from "../../../docs/examples/job-stats-plugin.js";
import { freshRedis, testRedisUrl } from "../../../test/support/redis.js";
import {
  Client,
  DeadSet,
  defineJob,
  definePlugin,
  generateJid,
  type JobContext,
  Kiq,
  Queue,
  type ReleaseReason,
  RetrySet,
  ScheduledSet,
} from "../src/index.js";
import { eventually, startWorker, stopWorkers } from "./worker-helpers.js";

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});
afterEach(stopWorkers);

const raw = (className: string, retry: boolean | number = true) =>
  `{"retry":${retry},"queue":"default","class":"${className}","args":[],"jid":"${generateJid()}","created_at":1795378342.5}`;

describe("a server plugin", () => {
  it("adds middleware, death handlers, lifecycle hooks, periodic tasks, jobs and a fetch strategy", async () => {
    const events: string[] = [];
    const lifecycle = definePlugin("lifecycle", (host) => {
      if (host.kind !== "server") return;
      for (const event of ["startup", "heartbeat", "beat", "quiet", "shutdown"] as const) {
        host.on(event, () => void events.push(event));
      }
      host.register(defineJob("FromPlugin", () => {}));
    });
    const kiq = new Kiq({
      url: testRedisUrl(),
      heartbeatInterval: 100,
      timeout: 1,
      logger: pino({ level: "silent" }),
      jobs: [defineJob("Ok", () => {}), defineJob("Dies", () => Promise.reject(new Error("no")))],
    })
      .use(jobStats, { namespace: "stats", reportEvery: 0.1, countFetches: true })
      .use(lifecycle);
    await kiq.start();
    await redis.lpush("queue:default", raw("Ok"), raw("Ok"), raw("FromPlugin"), raw("Dies", 0));
    await eventually(async () => (await redis.hget("stats:deaths", "Dies")) === "1");
    await eventually(async () => Number(await redis.get("stats:reports")) >= 2);
    await eventually(async () => Object.keys(await redis.hgetall("stats:runs")).length === 2);
    expect(await redis.hgetall("stats:runs")).toEqual({ Ok: "2", FromPlugin: "1" });
    expect(await redis.hgetall("stats:failures")).toEqual({ Dies: "1" });
    expect(Number(await redis.get("stats:fetches"))).toBeGreaterThan(0);
    await eventually(() => events.includes("beat") && events.filter((e) => e === "beat").length >= 2);
    await kiq.stop();
    const reportsAtStop = await redis.get("stats:reports");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await redis.get("stats:reports")).toBe(reportsAtStop); // periodic tasks end at quiet
    expect(await redis.hexists("stats:last-stop", kiq.identity)).toBe(1);
    expect(events[0]).toBe("startup");
    expect(events[1]).toBe("heartbeat");
    expect(events.slice(-2)).toEqual(["quiet", "shutdown"]);
  });

  it("stamps jobs the worker pushes through kiq.client with the plugin's client middleware", async () => {
    const kiq = await startWorker({ queues: ["elsewhere"] });
    expect(() => kiq.use(jobStats)).toThrow("plugins must be added before kiq starts");
    const other = new Kiq({
      url: testRedisUrl(),
      queues: ["elsewhere"],
      logger: pino({ level: "silent" }),
    }).use(jobStats);
    await other.start();
    await other.client.push({ class: "Next", args: [] });
    await other.stop();
    expect(JSON.parse((await redis.lindex("queue:default", 0)) as string).pushed_by).toBe("node");
  });

  it("pushes through the host's client middleware and tells every plugin of a released job", async () => {
    const released: string[] = [];
    const holder = definePlugin("holder", (host) => {
      host.onJobReleased((payload, reason) => void released.push(`${reason} ${JSON.parse(payload).class}`));
    });
    const recoverer = definePlugin("recoverer", (host) => {
      if (host.kind !== "server") return;
      host.on("startup", async () => {
        await host.releaseJob(raw("Orphan"), "recovered");
        await host.push({ class: "Orphan", args: [], queue: "elsewhere" });
      });
    });
    const kiq = new Kiq({ url: testRedisUrl(), queues: ["nothing"], logger: pino({ level: "silent" }) })
      .use(jobStats)
      .use(holder)
      .use(recoverer);
    await kiq.start();
    await eventually(async () => (await redis.llen("queue:elsewhere")) === 1);
    await kiq.stop();
    expect(released).toEqual(["recovered Orphan"]);
    expect(JSON.parse((await redis.lindex("queue:elsewhere", 0)) as string).pushed_by).toBe("node");
  });

  it("binds fields into every log line of a job and hands middleware the stored payload", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const payloads: string[] = [];
    const tagger = definePlugin("tagger", (host) => {
      if (host.kind !== "server") return;
      host.serverMiddleware.use(async ({ item, payload, bindLog }, next) => {
        payloads.push(payload);
        bindLog({ tenant: item.args[0] });
        if (item.class !== "Skip") await next();
      });
    });
    const kiq = new Kiq({
      url: testRedisUrl(),
      logger,
      jobs: [
        defineJob("Says", function (this: JobContext) {
          this.logger.info("inside");
        }),
        defineJob("Skip", () => {
          throw new Error("not run");
        }),
        defineJob("Fails", () => Promise.reject(new Error("no"))),
      ],
    }).use(tagger);
    await kiq.start();
    const stored = '{"class":"Says","args":["acme"],"jid":"aaaaaaaaaaaaaaaaaaaaaaaa","retry":false,"x":1.0}';
    await redis.lpush("queue:default", stored);
    await redis.lpush("queue:default", stored.replace("Says", "Skip").replace("acme", "beta"));
    await redis.lpush("queue:default", stored.replace("Says", "Fails").replace("acme", "gamma"));
    await eventually(() => lines.some((line) => line.msg === "fail"));
    await kiq.stop();
    expect(payloads[0]).toBe(stored);
    const about = (msg: string) => lines.filter((line) => line.msg === msg).map((line) => line.tenant);
    expect(about("inside")).toEqual(["acme"]);
    expect(about("done")).toEqual(["acme"]);
    expect(about("skipped")).toEqual(["beta"]);
    expect(about("fail")).toEqual(["gamma"]);
  });

  it("refuses a second fetch strategy, naming the plugin", async () => {
    const fetcher = definePlugin("my-fetch", (host) => {
      if (host.kind === "server")
        host.useFetcher(() => ({ retrieveWork: async () => [], acknowledge() {}, requeue: async () => {} }));
    });
    const kiq = new Kiq({ url: testRedisUrl(), logger: pino({ level: "silent" }) }).use(fetcher).use(fetcher);
    await expect(kiq.start()).rejects.toThrow(
      "plugin my-fetch failed to install: another plugin already replaced the fetch strategy",
    );
    await kiq.stop();
  });
});

describe("a client plugin", () => {
  it("is installed before the first push, even when its install is async", async () => {
    const slow = definePlugin<{ tag: string }>("slow", async (host, { tag }) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      host.clientMiddleware.use(({ job }, next) => {
        job.tags = [tag];
        return next();
      });
    });
    const client = new Client({ url: testRedisUrl(), sidekiqVersion: 7 })
      .use(jobStats)
      .use(slow, { tag: "from-plugin" });
    await client.push({ class: "Tagged", args: [1] });
    await client.close();
    const item = JSON.parse((await redis.lindex("queue:default", 0)) as string);
    expect(item).toMatchObject({ pushed_by: "node", tags: ["from-plugin"] });
  });

  it("fails every push with the reason when a plugin cannot install, writing nothing", async () => {
    const broken = definePlugin("broken", () => {
      throw new Error("missing option");
    });
    const client = new Client({ url: testRedisUrl(), sidekiqVersion: 7 }).use(broken);
    await expect(client.push({ class: "X", args: [] })).rejects.toThrow(
      "plugin broken failed to install: missing option",
    );
    await client.close();
    expect(await redis.dbsize()).toBe(0);
  });
});

describe("job releases", () => {
  function listening(): { client: Client; released: [string, ReleaseReason][] } {
    const released: [string, ReleaseReason][] = [];
    const client = new Client({ redis, sidekiqVersion: 7 }).use(
      definePlugin("holder", (host) =>
        host.onJobReleased((payload, reason) => void released.push([payload, reason])),
      ),
    );
    return { client, released };
  }

  it("the API, built from a Client, announces each job it deletes or kills, as stored", async () => {
    const { client, released } = listening();
    await client.push({ class: "A", args: [] }); // installs the plugin
    const [a, b, c, d, e] = [raw("A"), raw("B"), raw("C"), raw("D"), raw("E")];
    await redis.lpush("queue:q", a, b);
    await redis.zadd("schedule", 1, c, 2, d);
    await redis.zadd("retry", 1, e);
    const job = await new Queue(client, "q").findJob(JSON.parse(a).jid);
    expect(await job?.delete()).toBe(true);
    expect(await job?.delete()).toBe(false); // gone: not announced twice
    await new Queue(client, "q").clear();
    const scheduled = new ScheduledSet(client);
    expect(await (await scheduled.findJob(JSON.parse(c).jid))?.delete()).toBe(true);
    await scheduled.clear();
    expect(await (await new RetrySet(client).findJob(JSON.parse(e).jid))?.kill()).toBe(true);
    await new DeadSet(client).clear();
    expect(released).toEqual([
      [a, "deleted"],
      [b, "deleted"],
      [c, "deleted"],
      [d, "deleted"],
      [e, "dead"],
      [e, "deleted"],
    ]);
  });

  it("an API object built from { redis } announces nothing, even with a Client listening", async () => {
    const { client, released } = listening();
    await client.push({ class: "A", args: [] });
    await new Queue({ redis, sidekiqVersion: 7 }, "default").clear();
    expect(released).toEqual([]);
  });

  it("a worker announces a job that dies as dead, with the dead set's string, before its death handlers", async () => {
    const order: string[] = [];
    const payloads: string[] = [];
    const holder = definePlugin("holder", (host) => {
      host.onJobReleased((payload, reason) => {
        order.push(reason);
        payloads.push(payload);
      });
      if (host.kind === "server") host.onDeath(() => void order.push("death handler"));
    });
    const kiq = new Kiq({
      url: testRedisUrl(),
      logger: pino({ level: "silent" }),
      jobs: [defineJob("Dies", () => Promise.reject(new Error("no")))],
    }).use(holder);
    await kiq.start();
    await redis.lpush("queue:default", raw("Dies", 0));
    await eventually(() => order.length === 2);
    await kiq.stop();
    expect(order).toEqual(["dead", "death handler"]);
    expect(payloads).toEqual(await redis.zrange("dead", 0, -1));
  });
});
