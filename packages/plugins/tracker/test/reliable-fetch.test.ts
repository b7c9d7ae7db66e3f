import { Kiq, type UnitOfWork } from "@kiq/core";
import { heartbeatKey, QUICK_JOB_MS, ReliableFetch, tracker, workingList } from "@kiq/tracker";
import { afterAll, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { fetcherContext, rubyJob, silent, until } from "./support.js";

afterAll(closeAll);

const ID = "node:1:abcdef012345";
const WORKING_DEFAULT = `working:queue:default:${ID}`;

describe("ReliableFetch", () => {
  it("moves jobs from the queues, in strict order, into the working list and returns them byte for byte", async () => {
    const redis = await freshRedis();
    await redis.lpush("queue:high", rubyJob("h1", "high"));
    await redis.lpush("queue:default", rubyJob("d1"), rubyJob("d2"));
    const fetch = new ReliableFetch(fetcherContext(redis, ["high", "default"], ID), { prefetch: 0 });
    const works = await fetch.retrieveWork(2);
    expect(works).toEqual([
      { queue: "high", payload: rubyJob("h1", "high") },
      { queue: "default", payload: rubyJob("d1") },
    ]);
    expect(await redis.lrange(`working:queue:high:${ID}`, 0, -1)).toEqual([rubyJob("h1", "high")]);
    expect(await redis.lrange(WORKING_DEFAULT, 0, -1)).toEqual([rubyJob("d1")]);
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([rubyJob("d2")]);
  });

  it("acknowledges in batches: finished jobs leave the working list, the others stay", async () => {
    const redis = await freshRedis();
    await redis.lpush("queue:default", ...Array.from({ length: 50 }, (_, i) => rubyJob(`j${i}`)));
    const fetch = new ReliableFetch(fetcherContext(redis, ["default"], ID), { prefetch: 0 });
    const works = await fetch.retrieveWork(50);
    expect(await redis.llen(WORKING_DEFAULT)).toBe(50);
    for (const work of works.slice(0, 40)) fetch.acknowledge(work);
    await until(async () => (await redis.llen(WORKING_DEFAULT)) === 10); // written on their own
    await redis.lpush("queue:default", rubyJob("next"));
    for (const work of works.slice(40, 49)) fetch.acknowledge(work);
    // …or carried by the next fetch, in the same script.
    expect((await fetch.retrieveWork(1))[0]?.payload).toBe(rubyJob("next"));
    expect(await redis.lrange(WORKING_DEFAULT, 0, -1)).toEqual([rubyJob("next"), rubyJob("j49")]);
  });

  it("acks jobs that finished out of fetch order, and one of two identical payloads, leaving the rest in order", async () => {
    const redis = await freshRedis();
    await redis.lpush("queue:default", ...["a", "b", "c", "d", "c"].map((j) => rubyJob(j)));
    const fetch = new ReliableFetch(fetcherContext(redis, ["default"], ID), { prefetch: 0 });
    const works = await fetch.retrieveWork(5);
    const [a, b, c, d, c2] = works as [UnitOfWork, UnitOfWork, UnitOfWork, UnitOfWork, UnitOfWork];
    // b and d: not the oldest (a is still running), so not the tail of the working list.
    fetch.acknowledge(d);
    fetch.acknowledge(b);
    await until(async () => (await redis.llen(WORKING_DEFAULT)) === 3);
    const jids = async () => (await redis.lrange(WORKING_DEFAULT, 0, -1)).map((j) => JSON.parse(j).jid);
    expect(await jids()).toEqual(["c", "c", "a"]);
    // The tail as a multiset: a and one c are the two oldest, whichever order they finished in.
    fetch.acknowledge(c2);
    fetch.acknowledge(a);
    await until(async () => (await redis.llen(WORKING_DEFAULT)) === 1);
    expect(await redis.lrange(WORKING_DEFAULT, 0, -1)).toEqual([c.payload]);
    fetch.acknowledge(c);
    await until(async () => (await redis.exists(WORKING_DEFAULT)) === 0);
  });

  it("blocks in BLMOVE when the queues are empty and takes a job as soon as it is pushed", async () => {
    const redis = await freshRedis();
    const fetch = new ReliableFetch(fetcherContext(redis, ["default"], ID), { prefetch: 0 });
    const started = Date.now();
    const fetched = fetch.retrieveWork(5);
    await new Promise((r) => setTimeout(r, 100));
    await redis.lpush("queue:default", rubyJob("late"));
    expect(await fetched).toEqual([{ queue: "default", payload: rubyJob("late") }]);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await redis.lrange(WORKING_DEFAULT, 0, -1)).toEqual([rubyJob("late")]);
  });

  it("wake() ends the blocking wait without taking a job", async () => {
    const redis = await freshRedis();
    const fetch = new ReliableFetch(fetcherContext(redis, ["default"], ID), { prefetch: 0 });
    await new Promise((r) => setTimeout(r, 50)); // the popper learns its CLIENT ID
    const started = Date.now();
    const fetched = fetch.retrieveWork(5);
    await new Promise((r) => setTimeout(r, 50));
    await fetch.wake();
    expect(await fetched).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("requeue puts jobs back at the fetch end in fetch order, and never pushes one it no longer holds", async () => {
    const redis = await freshRedis();
    await redis.lpush("queue:default", rubyJob("a"), rubyJob("b"), rubyJob("c"));
    const fetch = new ReliableFetch(fetcherContext(redis, ["default"], ID), { prefetch: 0 });
    const works = await fetch.retrieveWork(3);
    expect(works.map((w) => JSON.parse(w.payload).jid)).toEqual(["a", "b", "c"]);
    await redis.lrem(WORKING_DEFAULT, 1, rubyJob("b")); // as if a recoverer had taken it
    await fetch.requeue(works);
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([rubyJob("c"), rubyJob("a")]);
    expect(await redis.llen(WORKING_DEFAULT)).toBe(0);
    expect((await fetch.retrieveWork(1))[0]?.payload).toBe(rubyJob("a"));
  });

  it("after its connection comes back, takes back jobs a fetch moved while the reply was lost", async () => {
    const redis = await freshRedis();
    const context = fetcherContext(redis, ["default"], ID);
    const fetch = new ReliableFetch(context, { prefetch: 0 });
    await redis.lpush("queue:default", rubyJob("a"), rubyJob("b"), rubyJob("c"));
    const [running] = await fetch.retrieveWork(1); // "a": running, held
    // A fetch whose reply the dropped connection lost: Redis moved "b" anyway.
    await redis.lmove("queue:default", WORKING_DEFAULT, "RIGHT", "LEFT");
    await until(() => context.popper.status === "ready");
    context.popper.disconnect(true);
    await until(() => context.popper.status !== "ready");
    await until(() => context.popper.status === "ready");
    fetch.acknowledge(running as UnitOfWork); // pending: not a stray either
    const next = await fetch.retrieveWork(1);
    expect(next.map((w) => JSON.parse(w.payload).jid)).toEqual(["b"]); // back in line, fetched first
    expect(await redis.lrange(WORKING_DEFAULT, 0, -1)).toEqual([rubyJob("b")]);
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([rubyJob("c")]);
  });

  it("prefetches ahead into the working list and release() puts those jobs back in order", async () => {
    const redis = await freshRedis();
    await redis.lpush("queue:default", ...["a", "b", "c", "d", "e"].map((j) => rubyJob(j)));
    const fetch = new ReliableFetch(fetcherContext(redis, ["default"], ID), { prefetch: 3 });
    const first = await fetch.retrieveWork(1);
    expect(first.map((w) => JSON.parse(w.payload).jid)).toEqual(["a"]);
    await until(async () => (await redis.llen(WORKING_DEFAULT)) === 4);
    expect((await fetch.retrieveWork(1)).map((w) => JSON.parse(w.payload).jid)).toEqual(["b"]);
    await fetch.release();
    expect(await redis.lrange(WORKING_DEFAULT, 0, -1)).toEqual([rubyJob("b"), rubyJob("a")]);
    const queue = await redis.lrange("queue:default", 0, -1);
    expect(queue.map((j) => JSON.parse(j).jid)).toEqual(["e", "d", "c"]); // c is fetched next
    // Released, it fetches only what is asked: nothing ahead any more.
    expect((await fetch.retrieveWork(1)).map((w) => JSON.parse(w.payload).jid)).toEqual(["c"]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await redis.llen("queue:default")).toBe(2);
  });
});

describe("ReliableFetch fetching one batch ahead (the default)", () => {
  it("fetches as many jobs ahead as the slots ask for while jobs are short, none once they run longer", async () => {
    const redis = await freshRedis();
    await redis.lpush("queue:default", ...["a", "b", "c", "d", "e", "f", "g"].map((j) => rubyJob(j)));
    const fetch = new ReliableFetch(fetcherContext(redis, ["default"], ID), { prefetch: undefined });
    const jids = (works: UnitOfWork[]) => works.map((w) => JSON.parse(w.payload).jid);
    const held = async () => (await redis.lrange(WORKING_DEFAULT, 0, -1)).map((j) => JSON.parse(j).jid);
    const first = await fetch.retrieveWork(2); // no job has run yet: nothing ahead
    for (const work of first) fetch.acknowledge(work); // a and b ran in no time (no await between)
    expect(jids(first)).toEqual(["a", "b"]);
    const second = await fetch.retrieveWork(2);
    expect(jids(second)).toEqual(["c", "d"]);
    expect(await held()).toEqual(["f", "e", "d", "c"]); // e, f ahead; a's and b's acks rode along
    await new Promise((r) => setTimeout(r, QUICK_JOB_MS * 2));
    for (const work of second) fetch.acknowledge(work); // c and d ran longer
    expect(jids(await fetch.retrieveWork(2))).toEqual(["e", "f"]);
    await until(async () => (await redis.llen(WORKING_DEFAULT)) === 2);
    expect(await held()).toEqual(["f", "e"]);
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([rubyJob("g")]); // not fetched ahead
    await fetch.release();
  });

  it("a wake() that came while no BLMOVE waited (a fetch ahead was under way) ends the next wait at once", async () => {
    const redis = await freshRedis();
    const fetch = new ReliableFetch(fetcherContext(redis, ["default"], ID), { prefetch: undefined });
    await fetch.wake(); // quiet, while the fetch connection ran a fetch ahead
    const started = Date.now();
    expect(await fetch.retrieveWork(5)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(500); // not FETCH_TIMEOUT (2 s)
  });

  it("acks wait for the fetch ahead under way and ride on the next one instead of a call of their own", async () => {
    const redis = await freshRedis();
    await redis.lpush("queue:default", ...Array.from({ length: 40 }, (_, i) => rubyJob(`j${i}`)));
    const fetch = new ReliableFetch(fetcherContext(redis, ["default"], ID), { prefetch: undefined });
    // Acks written on their own go over the command connection; fetches over the fetcher's own.
    const scripts = redis as unknown as { trackerMoveJobs: (...args: unknown[]) => Promise<string[]> };
    const write = scripts.trackerMoveJobs.bind(redis);
    let ackCalls = 0;
    scripts.trackerMoveJobs = (...args) => {
      ackCalls += 1;
      return write(...args);
    };
    const done: string[] = [];
    while (done.length < 40) {
      for (const work of await fetch.retrieveWork(5)) {
        done.push(work.payload);
        fetch.acknowledge(work);
      }
    }
    await fetch.release();
    expect(new Set(done).size).toBe(40);
    expect(await redis.llen(WORKING_DEFAULT)).toBe(0);
    expect(ackCalls).toBeLessThanOrEqual(1); // the last batch's, with no fetch left to carry them
  });
});

describe("kiq.use(tracker())", () => {
  it("runs every job once through the working list and leaves nothing behind at exit", async () => {
    const redis = await freshRedis();
    const seen: string[] = [];
    const kiq = new Kiq({ url: testRedisUrl(), concurrency: 4, logger: silent }).use(tracker());
    kiq.register({ className: "SlowJob", options: {}, perform: (ctx) => void seen.push(ctx.jid) });
    await redis.lpush("queue:default", ...Array.from({ length: 200 }, (_, i) => rubyJob(`j${i}`)));
    await kiq.start();
    const working = workingList("queue:default", kiq.identity);
    try {
      expect(await redis.get(heartbeatKey(kiq.identity))).toBe("1");
      expect(await redis.ttl(heartbeatKey(kiq.identity))).toBeGreaterThan(50);
      await until(() => seen.length === 200);
      await until(async () => (await redis.llen(working)) === 0);
    } finally {
      await kiq.stop();
    }
    expect(new Set(seen).size).toBe(200);
    expect(await redis.exists(heartbeatKey(kiq.identity))).toBe(0);
    expect(await redis.llen("queue:default")).toBe(0);
    expect(await redis.smembers("kiq-tracker:working-lists")).toEqual([]);
  });

  it("holds a running job in the working list and pushes it back, unchanged, when shutdown interrupts it", async () => {
    const redis = await freshRedis();
    const kiq = new Kiq({ url: testRedisUrl(), concurrency: 2, timeout: 1, logger: silent }).use(
      tracker({ prefetch: 2 }),
    );
    let running = 0;
    kiq.register({
      className: "SlowJob",
      options: {},
      perform: (ctx) =>
        new Promise<void>((_, reject) => {
          running += 1;
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
        }),
    });
    const jobs = ["a", "b", "c", "d", "e"].map((j) => rubyJob(j));
    await redis.lpush("queue:default", ...jobs);
    await kiq.start();
    const working = workingList("queue:default", kiq.identity);
    await until(() => running === 2);
    await until(async () => (await redis.llen(working)) === 4); // 2 running, 2 fetched ahead
    await kiq.stop();
    expect(await redis.llen(working)).toBe(0);
    // Everything back, byte for byte, and in the order it would have run.
    const queue = await redis.lrange("queue:default", 0, -1);
    expect([...queue].sort()).toEqual([...jobs].sort());
    expect(queue.map((j) => JSON.parse(j).jid).reverse()).toEqual(["a", "b", "c", "d", "e"]);
    expect(await redis.zcard("retry")).toBe(0);
  });

  it("stops promptly with free slots and jobs fetched ahead (quiet while the fetch loop runs)", async () => {
    const redis = await freshRedis();
    let ran = 0;
    const kiq = new Kiq({ url: testRedisUrl(), concurrency: 5, logger: silent }).use(
      tracker({ prefetch: 5 }),
    );
    kiq.register({
      className: "SlowJob",
      options: {},
      perform: () => {
        ran += 1;
      },
    });
    await redis.lpush("queue:default", ...Array.from({ length: 300 }, (_, i) => rubyJob(`j${i}`)));
    await kiq.start();
    await until(() => ran > 50);
    const stopping = Date.now();
    await kiq.stop();
    expect(Date.now() - stopping).toBeLessThan(3000);
    expect(ran + (await redis.llen("queue:default"))).toBe(300);
    expect(await redis.keys("working:*")).toEqual([]);
  });
});
