import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshRedis } from "../../../test/support/redis.js";
import { currentJob, decodeBacktrace, defineJob, generateJid, Job, type JobContext } from "../src/index.js";
import { vector } from "./vectors.js";
import { eventually, killConnections, startWorker, stopWorkers, zsetEntries } from "./worker-helpers.js";

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});
afterEach(stopWorkers);

/** A payload as Ruby Sidekiq 6/7 writes it, with args given as raw JSON text. */
function rubyPayload(className: string, argsText: string, extra = ""): { jid: string; raw: string } {
  const jid = generateJid();
  const raw = `{"retry":true,"queue":"default","class":"${className}","args":${argsText},"jid":"${jid}","created_at":1795378342.3331637,"enqueued_at":1795378342.3332186${extra}}`;
  return { jid, raw };
}

const ODD_ARGS = '[1.0,-0.0,12345678901234567890,1.0e-07,"ü\\u0001",{"a":[]}]';

describe("running jobs", () => {
  it("spreads args into the handler and gives it the job's context", async () => {
    const seen: unknown[] = [];
    const charge = defineJob("Billing::Charge", async function (this: JobContext, amount, currency, meta) {
      seen.push({
        args: [amount, currency, meta],
        jid: this.jid,
        queue: this.queue,
        retryCount: this.retryCount,
      });
      seen.push(currentJob()?.jid === this.jid, this.signal.aborted, typeof this.logger.info);
    });
    await startWorker({ jobs: [charge], queues: ["billing"] });
    const { jid, raw } = rubyPayload("Billing::Charge", '[42,"usd",{"big":12345678901234567890}]');
    await redis.lpush("queue:billing", raw.replace('"queue":"default"', '"queue":"billing"'));
    await eventually(() => seen.length === 4);
    expect(seen).toEqual([
      { args: [42, "usd", { big: 12345678901234567890n }], jid, queue: "billing", retryCount: undefined },
      true,
      false,
      "function",
    ]);
  });

  it("runs the class form, one instance per run, by its static className", async () => {
    const runs: string[] = [];
    class Export extends Job {
      static override className = "Reports::Export";
      perform(format: string) {
        runs.push(`${this.className}:${format}:${this.jid.length}`);
      }
    }
    await startWorker({ jobs: [Export] });
    await redis.lpush("queue:default", rubyPayload("::Reports::Export", '["csv"]').raw);
    await eventually(() => runs.length === 1);
    expect(runs).toEqual(["::Reports::Export:csv:24"]);
  });

  it("drains many jobs with several slots and counts them in stat:processed", async () => {
    let ran = 0;
    await startWorker({ jobs: [defineJob("Noop", () => void ran++)], concurrency: 10 });
    await redis.lpush(
      "queue:default",
      ...Array.from({ length: 500 }, (_, i) => rubyPayload("Noop", `[${i}]`).raw),
    );
    await eventually(() => ran === 500);
    await eventually(async () => (await redis.get("stat:processed")) === "500", 3000);
    expect(await redis.llen("queue:default")).toBe(0);
  });

  it("takes strict queues in order: an earlier queue always wins", async () => {
    const order: string[] = [];
    const record = defineJob("Record", (tag: string) => void order.push(tag));
    await redis.lpush("queue:low", ...["l1", "l2"].map((t) => rubyPayload("Record", `["${t}"]`).raw));
    await redis.lpush("queue:high", ...["h1", "h2", "h3"].map((t) => rubyPayload("Record", `["${t}"]`).raw));
    await startWorker({ jobs: [record], queues: ["high", "low"], concurrency: 1 });
    await eventually(() => order.length === 5);
    expect(order).toEqual(["h1", "h2", "h3", "l1", "l2"]);
  });
});

describe("failures, with Sidekiq's retry semantics", () => {
  const boom = defineJob("Boom", () => {
    throw new TypeError("card declined");
  });

  it.each([6, 7, 8] as const)(
    "puts a failed job in the retry set, args byte-for-byte (Sidekiq %i)",
    async (version) => {
      await startWorker({ jobs: [boom], sidekiqVersion: version });
      const { jid, raw } = rubyPayload("Boom", ODD_ARGS, ',"backtrace":true,"custom":{"x":1.50}');
      const before = Date.now() / 1000;
      await redis.lpush("queue:default", raw);
      const [entry] = await eventually(async () => {
        const entries = await zsetEntries(redis, "retry");
        return entries.length === 1 ? entries : undefined;
      });
      const stored = entry?.value as string;
      expect(stored).toContain(`"args":${ODD_ARGS}`);
      expect(stored).toContain('"custom":{"x":1.50}');
      const item = JSON.parse(stored);
      expect(item).toMatchObject({
        jid,
        queue: "default",
        error_class: "TypeError",
        error_message: "card declined",
        retry_count: 0,
      });
      if (version === 8) expect(stored).toMatch(/"failed_at":\d{13},/);
      else expect(stored).toMatch(/"failed_at":\d{10}\.\d+,/);
      expect(decodeBacktrace(item.error_backtrace)[0]).toContain("worker.test.ts");
      // first retry: 15 s plus jitter below 10 × (count + 1)
      expect(entry?.score).toBeGreaterThanOrEqual(before + 15);
      expect(entry?.score).toBeLessThan(Date.now() / 1000 + 25);
      await eventually(async () => (await redis.get("stat:failed")) === "1");
    },
  );

  it("counts a second failure with retried_at and retry_count 1, keeping failed_at", async () => {
    await startWorker({ jobs: [boom], sidekiqVersion: 7 });
    const { raw } = rubyPayload(
      "Boom",
      "[]",
      ',"error_message":"old","error_class":"X","failed_at":1795378000.5,"retry_count":0',
    );
    await redis.lpush("queue:default", raw);
    const [entry] = await eventually(async () => {
      const entries = await zsetEntries(redis, "retry");
      return entries.length === 1 ? entries : undefined;
    });
    const item = JSON.parse(entry?.value as string);
    expect(item.retry_count).toBe(1);
    expect(item.failed_at).toBe(1795378000.5);
    expect(item.retried_at).toBeGreaterThan(1795378000);
    expect(Object.keys(item).slice(-6)).toEqual([
      "enqueued_at",
      "error_message",
      "error_class",
      "failed_at",
      "retry_count",
      "retried_at",
    ]);
  });

  it("sends retry: 0 straight to the dead set and runs death handlers", async () => {
    const deaths: string[] = [];
    const kiq = await startWorker({ jobs: [boom] });
    kiq.onDeath((item, error) => void deaths.push(`${item.jid}:${error.message}`));
    const { jid, raw } = rubyPayload("Boom", ODD_ARGS);
    await redis.lpush("queue:default", raw.replace('"retry":true', '"retry":0'));
    await eventually(() => deaths.length === 1);
    const dead = await zsetEntries(redis, "dead");
    expect(dead).toHaveLength(1);
    expect(dead[0]?.value).toContain(`"args":${ODD_ARGS}`);
    expect(deaths).toEqual([`${jid}:card declined`]);
    expect(await redis.zcard("retry")).toBe(0);
  });

  it("with retry: false runs death handlers only: no retry set, no dead set", async () => {
    const deaths: string[] = [];
    const kiq = await startWorker({ jobs: [boom] });
    kiq.onDeath((item) => void deaths.push(item.jid as string));
    const { jid, raw } = rubyPayload("Boom", "[]");
    await redis.lpush("queue:default", raw.replace('"retry":true', '"retry":false'));
    await eventually(() => deaths.length === 1);
    expect(deaths).toEqual([jid]);
    expect(await redis.zcard("retry")).toBe(0);
    expect(await redis.zcard("dead")).toBe(0);
  });

  it("honours retryIn (seconds, kill, discard) and retriesExhausted", async () => {
    const exhausted: string[] = [];
    const hooked = defineJob(
      "Hooked",
      (mode: string) => {
        throw new Error(mode);
      },
      {
        retryIn: (_count, error) => (error.message === "later" ? 600 : (error.message as "kill" | "discard")),
        retriesExhausted: (item) => void exhausted.push(String(item.args[0])),
      },
    );
    await startWorker({ jobs: [hooked], sidekiqVersion: 8 });
    const before = Date.now() / 1000;
    for (const mode of ["later", "kill", "discard"])
      await redis.lpush("queue:default", rubyPayload("Hooked", `["${mode}"]`).raw);
    await eventually(async () => (await redis.zcard("retry")) === 1 && (await redis.zcard("dead")) === 1);
    const [retry] = await zsetEntries(redis, "retry");
    expect(retry?.score).toBeGreaterThanOrEqual(before + 600);
    expect(retry?.score).toBeLessThan(before + 611);
    expect(JSON.parse((await zsetEntries(redis, "dead"))[0]?.value as string).args).toEqual(["kill"]);
    expect(exhausted).toEqual(["kill"]);
  });

  it("keeps a job out of the dead set when retriesExhausted answers discard", async () => {
    const job = defineJob("Discarded", () => Promise.reject(new Error("no")), {
      retriesExhausted: () => "discard",
    });
    await startWorker({ jobs: [job] });
    await redis.lpush(
      "queue:default",
      rubyPayload("Discarded", "[]").raw.replace('"retry":true', '"retry":0'),
    );
    await eventually(async () => (await redis.get("stat:failed")) === "1");
    expect(await redis.zcard("dead")).toBe(0);
  });

  it("uses retry_queue for the retry", async () => {
    await startWorker({ jobs: [boom] });
    await redis.lpush("queue:default", rubyPayload("Boom", "[]", ',"retry_queue":"slow"').raw);
    const [entry] = await eventually(async () => {
      const e = await zsetEntries(redis, "retry");
      return e.length ? e : undefined;
    });
    expect(JSON.parse(entry?.value as string).queue).toBe("slow");
  });

  it("records thrown non-Error values and timeouts clearly", async () => {
    let aborted = false;
    const odd = defineJob("Odd", () => {
      throw { code: 42 };
    });
    const hang = defineJob(
      "Hang",
      function (this: JobContext) {
        this.signal.addEventListener("abort", () => {
          aborted = true;
        });
        return new Promise(() => {});
      },
      { timeout: 0.2 },
    );
    await startWorker({ jobs: [odd, hang] });
    await redis.lpush("queue:default", rubyPayload("Odd", "[]").raw, rubyPayload("Hang", "[]").raw);
    const entries = await eventually(async () => {
      const e = await zsetEntries(redis, "retry");
      return e.length === 2 ? e.map((x) => JSON.parse(x.value)) : undefined;
    });
    const byClass = Object.fromEntries(entries.map((e) => [e.class, e]));
    expect(byClass.Odd).toMatchObject({
      error_class: "NonErrorThrown",
      error_message: 'a non-Error value was thrown: {"code":42}',
    });
    expect(byClass.Hang).toMatchObject({
      error_class: "JobTimeoutError",
      error_message: "job exceeded its timeout of 0.2 s",
    });
    expect(aborted).toBe(true);
  });
});

describe("bad input never crashes the worker and loses nothing", () => {
  it("fails an unknown class like Ruby's NameError, into the retry set", async () => {
    await startWorker();
    const { jid, raw } = rubyPayload("Ruby::Only", ODD_ARGS);
    await redis.lpush("queue:default", raw);
    const [entry] = await eventually(async () => {
      const e = await zsetEntries(redis, "retry");
      return e.length ? e : undefined;
    });
    expect(JSON.parse(entry?.value as string)).toMatchObject({
      jid,
      error_class: "NameError",
      error_message: "uninitialized constant Ruby::Only",
    });
    expect(entry?.value).toContain(`"args":${ODD_ARGS}`);
  });

  it("can hand unknown classes to a queue Ruby serves instead", async () => {
    await startWorker({ onUnknownJob: { queue: "ruby" } });
    const { raw } = rubyPayload("Ruby::Only", ODD_ARGS);
    await redis.lpush("queue:default", raw);
    const moved = await eventually(() => redis.lpop("queue:ruby"));
    expect(moved).toBe(raw.replace('"queue":"default"', '"queue":"ruby"'));
    expect(await redis.sismember("queues", "ruby")).toBe(1);
  });

  it("buries malformed JSON and unusable job hashes in the dead set, then keeps working", async () => {
    let ran = 0;
    await startWorker({ jobs: [defineJob("Fine", () => void ran++)], concurrency: 1 });
    await redis.lpush(
      "queue:default",
      "{not json",
      '{"class":"Fine"}',
      '{"args":[1]}',
      '{"class":"Fine","args":"x"}',
    );
    await redis.lpush("queue:default", rubyPayload("Fine", "[]").raw);
    await eventually(() => ran === 1);
    const dead = (await zsetEntries(redis, "dead")).map((e) => e.value);
    expect(dead).toHaveLength(4);
    expect(dead).toContain("{not json");
    const marked = dead.filter((d) => d !== "{not json").map((d) => JSON.parse(d));
    expect(marked.map((m) => m.error_class)).toEqual([
      "MalformedPayloadError",
      "MalformedPayloadError",
      "MalformedPayloadError",
    ]);
    expect(marked.map((m) => m.error_message).sort()).toEqual([
      'unusable job hash: "args" must be array',
      "unusable job hash: job hash must have required property 'args'",
      "unusable job hash: job hash must have required property 'class'",
    ]);
  });

  it("finishes a job whose connection was killed mid-job and keeps fetching", async () => {
    const done: number[] = [];
    const slow = defineJob("Slow", async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (n === 1) throw new Error("after the drop");
      done.push(n);
    });
    const kiq = await startWorker({ jobs: [slow], concurrency: 2 });
    await redis.lpush("queue:default", rubyPayload("Slow", "[0]").raw, rubyPayload("Slow", "[1]").raw);
    await eventually(async () => (await redis.llen("queue:default")) === 0);
    await killConnections(redis, kiq.identity);
    await eventually(async () => (await redis.zcard("retry")) === 1, 8000);
    await redis.lpush("queue:default", rubyPayload("Slow", "[2]").raw);
    await eventually(() => done.length === 2, 8000);
    expect(done).toEqual([0, 2]);
  });
});

describe("shutdown", () => {
  it("pushes back a job fetched after quiet began instead of running it", async () => {
    let ran = false;
    const kiq = await startWorker({
      jobs: [
        defineJob("Late", () => {
          ran = true;
        }),
      ],
    });
    const { raw } = rubyPayload("Late", ODD_ARGS);
    await kiq.quiet();
    await redis.lpush("queue:default", raw);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kiq.stop();
    expect(ran).toBe(false);
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([raw]);
  });

  it("pushes an unfinished job back to its queue unchanged, fires its signal and writes no retry", async () => {
    let aborted: unknown;
    let started = false;
    const long = defineJob("Long", function (this: JobContext) {
      started = true;
      return new Promise((_, reject) => {
        this.signal.addEventListener("abort", () => {
          aborted = this.signal.reason;
          reject(this.signal.reason);
        });
      });
    });
    const kiq = await startWorker({ jobs: [long], timeout: 0.3 });
    const { raw } = rubyPayload("Long", ODD_ARGS);
    await redis.lpush("queue:default", raw);
    await eventually(() => started);
    await kiq.stop();
    expect(await redis.lrange("queue:default", 0, -1)).toEqual([raw]);
    expect((aborted as Error).name).toBe("ShutdownError");
    expect(await redis.zcard("retry")).toBe(0);
    expect(await redis.sismember("processes", kiq.identity)).toBe(0);
  });

  it("lets running jobs finish within the timeout", async () => {
    let started = false;
    let finished = false;
    const short = defineJob("Short", async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
      finished = true;
    });
    const kiq = await startWorker({ jobs: [short], timeout: 5 });
    await redis.lpush("queue:default", rubyPayload("Short", "[]").raw);
    await eventually(() => started);
    await kiq.stop();
    expect(finished).toBe(true);
    expect(await redis.llen("queue:default")).toBe(0);
    expect(await redis.get("stat:processed")).toBe("1");
  });
});

describe("server middleware and version rules", () => {
  it("runs server middleware around the handler, which may stop a job", async () => {
    const calls: string[] = [];
    const kiq = await startWorker({
      jobs: [defineJob("Audited", (n: number) => void calls.push(`perform ${n}`))],
    });
    kiq.middleware.use(async ({ item, queue, job }, next) => {
      calls.push(`before ${item.args[0]} ${queue} ${job.jid === item.jid}`);
      if (item.args[0] === 2) return; // skipped: not performed, and not a failure
      await next();
      calls.push(`after ${item.args[0]}`);
    });
    await redis.lpush("queue:default", rubyPayload("Audited", "[1]").raw);
    await eventually(() => calls.length === 3);
    await redis.lpush("queue:default", rubyPayload("Audited", "[2]").raw);
    await eventually(() => calls.length === 4);
    await eventually(async () => (await redis.get("stat:processed")) === "2");
    expect(calls).toEqual(["before 1 default true", "perform 1", "after 1", "before 2 default true"]);
    expect(await redis.zcard("retry")).toBe(0);
  });

  it.each([
    [7, 5, "dead"], // 7.x: retry_for elapsed exhausts even with retries left
    [8, 5, "dead"],
    [7, 0, "dead"], // 7.x: count also exhausts
    [8, 0, "retry"], // 8.1: with retry_for set, only time counts
    [6, 5, "retry"], // 6.x knows no retry_for
  ] as const)(
    "Sidekiq %i, retry %i, retry_for elapsed or count reached → %s",
    async (version, retry, where) => {
      await startWorker({
        jobs: [defineJob("Boom", () => Promise.reject(new Error("x")))],
        sidekiqVersion: version,
      });
      const failedAt = version === 8 ? "1795000000000" : "1795000000.5"; // long before now
      const countFields = retry === 0 ? ',"retry_count":0' : ',"retry_count":1';
      const extra = `,"retry_for":60,"failed_at":${failedAt}${countFields}`;
      const fresh =
        retry === 0
          ? `,"retry_for":3600,"failed_at":${version === 8 ? Date.now() : Date.now() / 1000}${countFields}`
          : extra;
      const { raw } = rubyPayload("Boom", "[]", fresh);
      await redis.lpush("queue:default", raw.replace('"retry":true', `"retry":${retry}`));
      await eventually(async () => (await redis.zcard("retry")) + (await redis.zcard("dead")) === 1);
      expect(await redis.zcard(where)).toBe(1);
    },
  );

  it("trims the dead set as Sidekiq does: at most 9,999 jobs", async () => {
    const now = Date.now() / 1000;
    const filler = Array.from({ length: 10_000 }, (_, i) => [now - 10 + i / 10_000, `old-${i}`]).flat();
    await redis.zadd("dead", ...(filler as (string | number)[]));
    await startWorker({ jobs: [defineJob("Boom", () => Promise.reject(new Error("x")))] });
    const { jid, raw } = rubyPayload("Boom", "[]");
    await redis.lpush("queue:default", raw.replace('"retry":true', '"retry":0'));
    await eventually(async () => (await redis.zrange("dead", -1, -1))[0]?.includes(jid));
    expect(await redis.zcard("dead")).toBe(9_999);
    expect(await redis.zscore("dead", "old-0")).toBe(null);
  });
});

describe("retry payloads against the ones Ruby recorded", () => {
  it.each([
    ["6.4.1", 6],
    ["7.3.10", 7],
    ["8.1.7", 8],
  ] as const)(
    "writes the retry entry Sidekiq %s wrote: same keys, order and types",
    async (recorded, version) => {
      const rubyEntry: string = vector(`recorded/sidekiq-${recorded}.json`).retry_set[0][0];
      const ruby = JSON.parse(rubyEntry);
      const before = { ...ruby };
      for (const key of ["error_message", "error_class", "failed_at", "retry_count", "error_backtrace"])
        delete before[key];
      await startWorker({
        jobs: [defineJob(ruby.class, () => Promise.reject(new Error("boom from Node")))],
        sidekiqVersion: version,
      });
      await redis.lpush("queue:default", JSON.stringify(before));
      const [entry] = await eventually(async () => {
        const e = await zsetEntries(redis, "retry");
        return e.length ? e : undefined;
      });
      const kiq = JSON.parse(entry?.value as string);
      const shape = (item: Record<string, unknown>) =>
        Object.entries(item).map(([key, value]) => [
          key,
          typeof value,
          key.endsWith("_at") ? Number.isInteger(value) : null,
        ]);
      expect(shape(kiq)).toEqual(shape(ruby));
      expect(decodeBacktrace(kiq.error_backtrace)).toHaveLength(3); // backtrace: 3, as Ruby kept 3 frames
      expect(kiq.error_backtrace.endsWith("\n")).toBe(version === 6); // MIME Base64 before 7.2.1, strict after
      expect(ruby.error_backtrace.endsWith("\n")).toBe(version === 6);
    },
  );
});
