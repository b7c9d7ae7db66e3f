import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../test/support/redis.js";
import { Client, InvalidJobError, RubyFloat } from "../src/index.js";

let redis: Redis;
const clients: Client[] = [];
beforeEach(async () => {
  redis = await freshRedis();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await closeAll();
});

function client(sidekiqVersion: 6 | 7 | 8 = 7): Client {
  const c = new Client({ url: testRedisUrl(), sidekiqVersion });
  clients.push(c);
  return c;
}

describe("push", () => {
  it.each([6, 7, 8] as const)(
    "writes a job as Sidekiq %i's client does: keys, order, timestamp unit",
    async (version) => {
      const jid = await client(version).push({
        class: "Billing::Charge",
        args: [1, new RubyFloat(2)],
        queue: "billing",
      });
      const [raw] = await redis.lrange("queue:billing", 0, -1);
      expect(Object.keys(JSON.parse(raw as string))).toEqual([
        "retry",
        "queue",
        "class",
        "args",
        "jid",
        "created_at",
        "enqueued_at",
      ]);
      expect(raw).toContain(`"args":[1,2.0],"jid":"${jid}"`);
      if (version === 8) expect(raw).toMatch(/"created_at":\d{13},"enqueued_at":\d{13}}$/);
      else expect(raw).toMatch(/"created_at":\d{10}\.\d+,"enqueued_at":\d{10}\.\d+}$/);
      expect(await redis.smembers("queues")).toEqual(["billing"]);
    },
  );

  it("schedules with at (epoch seconds or a Date) and in, without at or enqueued_at in the payload", async () => {
    const c = client(7);
    const at = Date.now() / 1000 + 3600;
    await c.push({ class: "A", args: [], at });
    await c.push({ class: "B", args: [], at: new Date(at * 1000) });
    await c.push({ class: "C", args: [], in: 60 });
    await c.push({ class: "D", args: [], in: 0 }); // now: straight to the queue
    const scheduled = await redis.zrange("schedule", 0, -1, "WITHSCORES");
    expect(scheduled).toHaveLength(6);
    for (let i = 0; i < scheduled.length; i += 2) {
      expect(scheduled[i]).not.toMatch(/"at"|enqueued_at/);
      expect(Number(scheduled[i + 1])).toBeGreaterThan(Date.now() / 1000 + 50);
    }
    expect(JSON.parse((await redis.lindex("queue:default", 0)) as string).class).toBe("D");
  });

  it("runs client middleware, which may change the job or stop the push", async () => {
    const c = client(7);
    c.middleware.use(async (ctx, next) => {
      if (ctx.job.class === "Skipped") return;
      ctx.job.tags = ["mw"];
      await next();
    });
    expect(await c.push({ class: "Skipped", args: [] })).toBeNull();
    await c.push({ class: "Kept", args: [] });
    const stored = (await redis.lrange("queue:default", 0, -1)).map((r) => JSON.parse(r));
    expect(stored).toEqual([expect.objectContaining({ class: "Kept", tags: ["mw"] })]);
  });

  it.each([
    [{ args: [] }, /"class" must be a non-empty string/],
    [{ class: "", args: [] }, /"class"/],
    [{ class: "A", args: "x" }, /"args" must be an array/],
    [{ class: "A", args: [new Date(0)] }, /job\.args\[0\] is a Date object/],
    [{ class: "A", args: [{ a: undefined }] }, /job\.args\[0\]\.a is undefined/],
    [{ class: "A", args: [Number.NaN] }, /NaN/],
    [{ class: "A", args: [], at: "tomorrow" }, /"at" must be epoch seconds/],
    [{ class: "A", args: [], at: Date.now() }, /looks like epoch milliseconds/],
    [{ class: "A", args: [], at: 1, in: 1 }, /either "at" or "in"/],
    [{ class: "A", args: [], retry: "yes" }, /"retry" must be true, false or a retry count/],
    [{ class: "A", args: [], tags: "x" }, /"tags" must be an array of strings/],
    [{ class: "A", args: [], queue: "" }, /"queue" must be a non-empty string/],
    [null, /push expects a job hash/],
  ])("rejects %j clearly and writes nothing", async (item, message) => {
    await expect(client(7).push(item as never)).rejects.toThrow(message);
    await expect(client(7).push(item as never)).rejects.toBeInstanceOf(InvalidJobError);
    expect(await redis.dbsize()).toBe(0);
  });
});

describe("pushBulk", () => {
  it("writes one job per args array, first one popped first, all with one created_at", async () => {
    const jids = await client(7).pushBulk({
      class: "Mailer",
      args: [[1], [2], [12345678901234567890n]],
      retry: 3,
    });
    expect(new Set(jids).size).toBe(3);
    const popped = [
      await redis.rpop("queue:default"),
      await redis.rpop("queue:default"),
      await redis.rpop("queue:default"),
    ];
    const items = popped.map((raw) => JSON.parse(raw as string));
    expect(items.map((i) => i.jid)).toEqual(jids);
    expect(popped[2]).toContain('"args":[12345678901234567890]');
    expect(Object.keys(items[0])).toEqual([
      "retry",
      "queue",
      "class",
      "args",
      "jid",
      "created_at",
      "enqueued_at",
    ]);
    expect(items[0].retry).toBe(3);
    expect(new Set(items.map((i) => i.created_at)).size).toBe(1);
  });

  it("schedules each job at its own time", async () => {
    const base = Math.floor(Date.now() / 1000) + 100;
    await client(8).pushBulk({ class: "Later", args: [["a"], ["b"]], at: [base, base + 50] });
    const entries = await redis.zrange("schedule", 0, -1, "WITHSCORES");
    expect(entries.filter((_, i) => i % 2 === 1).map(Number)).toEqual([base, base + 50]);
    expect(entries[0]).toMatch(/"created_at":\d{13}}$/);
  });

  it("runs middleware per job and returns null where it stopped one", async () => {
    const c = client(7);
    c.middleware.use(async ({ job }, next) => {
      if (job.args[0] !== 2) await next();
    });
    const jids = await c.pushBulk({ class: "M", args: [[1], [2], [3]] });
    expect(jids[1]).toBeNull();
    expect(await redis.llen("queue:default")).toBe(2);
  });

  it.each([
    [{ class: "M", args: [[1], "x"] }, /one array per job/],
    [{ class: "M", args: [[1], [new Map()]] }, /args\[1\]\[0\] is a Map object/],
    [{ class: "M", args: [[1]], jid: "abc" }, /its own jid/],
    [{ class: "M", args: [[1], [2]], at: [1] }, /"at" has 1 times for 2 jobs/],
    [{ class: "M", args: [[1]], at: ["soon"] }, /"at" must be epoch seconds/],
  ])("rejects %j and writes nothing at all", async (bulk, message) => {
    await expect(client(7).pushBulk(bulk as never)).rejects.toThrow(message);
    expect(await redis.dbsize()).toBe(0);
  });
});
