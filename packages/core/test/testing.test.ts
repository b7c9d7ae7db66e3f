// @kiq/core/testing as a user's own tests use it: fake mode captures pushes (and drains them
// through the real handlers), inline mode runs them at push time after the JSON round trip a worker
// sees, disable reaches Redis, and scoped blocks always restore the mode they found.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../test/support/paths.js";
import { closeAll, freshRedis, testRedisUrl } from "../../../test/support/redis.js";
import {
  Client,
  currentJob,
  defineJob,
  InvalidJobError,
  Job,
  type JobContext,
  Kiq,
  KiqError,
  RubyFloat,
} from "../src/index.js";
import { type CapturedJob, Testing } from "../src/testing/index.js";

/** Every run of the jobs below: which job, its args and what `this` said. */
interface Run {
  className: string;
  args: unknown[];
  jid: string;
  queue: string;
}
let runs: Run[] = [];
function record(context: JobContext, args: unknown[]): void {
  runs.push({ className: context.className, args, jid: context.jid, queue: context.queue });
}

const charge = defineJob("Billing::Charge", function (this: JobContext, ...args: unknown[]) {
  record(this, args);
});

class Receipt extends Job {
  static override className = "Billing::Receipt";
  static override options = { queue: "mail" };
  perform(...args: unknown[]) {
    record(this, args);
  }
}

const boom = defineJob("Billing::Boom", (message: string) => {
  throw new Error(message);
});

// Pushes from inside a handler: a countdown re-pushes itself and sends a receipt at the end.
let client: Client;
const countdown = defineJob("Billing::Countdown", async function (this: JobContext, n: number, ...rest) {
  record(this, [n, ...rest]);
  if (n > 0) await client.push({ class: "Billing::Countdown", args: [n - 1] });
  else await client.push({ class: "Billing::Receipt", args: ["done"], queue: "mail" });
});

/** A Redis connection that never connects unless something sends it a command. */
function idleRedis(): Redis {
  return new Redis(testRedisUrl(), { lazyConnect: true });
}

let redis: Redis;
beforeEach(() => {
  runs = [];
  redis = idleRedis();
  client = new Client({ redis, sidekiqVersion: 7 });
});
afterEach(async () => {
  Testing.reset();
  redis.disconnect();
});
afterAll(closeAll);

describe("fake mode", () => {
  beforeEach(() => Testing.fake());

  it("captures pushes per job class, with args, queue and jid, and never touches Redis", async () => {
    const jid = await client.push({ class: "Billing::Charge", args: [42, "usd", { amount: "19.99" }] });
    const bulk = await client.pushBulk({ class: "Billing::Receipt", args: [[1], [2]], queue: "mail" });
    const scheduled = await client.push({ class: "Billing::Charge", args: [7], at: 1_700_000_000 });

    expect(Testing.jobs.map((j) => j.jid)).toEqual([jid, ...bulk, scheduled]);
    const [now, later] = Testing.jobsFor("Billing::Charge") as [CapturedJob, CapturedJob];
    expect(now).toMatchObject({ class: "Billing::Charge", args: [42, "usd", { amount: "19.99" }] });
    expect(now).toMatchObject({ queue: "default", jid, retry: true });
    expect(typeof now.enqueued_at).toBe("number");
    expect(now.at).toBeUndefined();
    expect(later).toMatchObject({ jid: scheduled, args: [7], at: 1_700_000_000 });
    expect(later.enqueued_at).toBeUndefined(); // Sidekiq 7 drops it from scheduled jobs
    expect(Testing.jobsFor(Receipt).map((j) => [j.args, j.queue])).toEqual([
      [[1], "mail"],
      [[2], "mail"],
    ]);
    expect(redis.status).toBe("wait");
  });

  it("keeps args as a worker would read them: BigInt stays BigInt, RubyFloat(1) is 1", async () => {
    await client.push({ class: "Billing::Charge", args: [12345678901234567890n, new RubyFloat(1), [null]] });
    expect(Testing.jobs[0]?.args).toEqual([12345678901234567890n, 1, [null]]);
  });

  it("still validates and still runs client middleware, which may stop a push", async () => {
    await expect(client.push({ class: "Billing::Charge", args: [new Date()] })).rejects.toThrow(
      InvalidJobError,
    );
    await expect(client.push({ class: "", args: [] })).rejects.toThrow(InvalidJobError);
    client.middleware.use(async ({ job }, next) => {
      job.tags = ["from-node"];
      if (job.args[0] !== "skip") await next();
    });
    expect(await client.push({ class: "Billing::Charge", args: ["skip"] })).toBeNull();
    await client.push({ class: "Billing::Charge", args: ["keep"] });
    expect(Testing.jobs.map((j) => [j.args, j.tags])).toEqual([[["keep"], ["from-node"]]]);
  });

  it("finds a class by name, definition, Job class or ::Name, and clears one class or all", async () => {
    await client.push({ class: "Billing::Charge", args: [1] });
    await client.push({ class: "::Billing::Receipt", args: [2] });
    expect(Testing.jobsFor(charge)).toHaveLength(1);
    expect(Testing.jobsFor("::Billing::Charge")).toHaveLength(1);
    expect(Testing.jobsFor(Receipt)).toHaveLength(1);
    Testing.clear(charge);
    expect(Testing.jobs.map((j) => j.class)).toEqual(["::Billing::Receipt"]);
    Testing.clearAll();
    expect(Testing.jobs).toEqual([]);
  });

  it("drains the given jobs through their handlers, with args and this (jid, queue)", async () => {
    const first = await client.push({ class: "Billing::Charge", args: [1, "usd"], queue: "billing" });
    const second = await client.push({ class: "Billing::Charge", args: [2, "eur"] });
    const receipt = await client.push({ class: "Billing::Receipt", args: ["r"], queue: "mail" });
    await client.push({ class: "Ruby::Only", args: [] });

    expect(await Testing.drain(charge)).toBe(2);
    expect(runs).toEqual([
      { className: "Billing::Charge", args: [1, "usd"], jid: first, queue: "billing" },
      { className: "Billing::Charge", args: [2, "eur"], jid: second, queue: "default" },
    ]);
    expect(Testing.jobs.map((j) => j.class)).toEqual(["Billing::Receipt", "Ruby::Only"]);

    expect(await Testing.drain(Receipt)).toBe(1);
    expect(runs.at(-1)).toEqual({ className: "Billing::Receipt", args: ["r"], jid: receipt, queue: "mail" });
    expect(Testing.jobs.map((j) => j.class)).toEqual(["Ruby::Only"]);
  });

  it("drains jobs pushed while draining, and drainAll runs every class it knows", async () => {
    Testing.register(countdown, Receipt);
    await client.push({ class: "Billing::Countdown", args: [2] });

    expect(await Testing.drain(countdown)).toBe(3);
    expect(runs.map((r) => r.args)).toEqual([[2], [1], [0]]);
    expect(Testing.jobsFor(Receipt).map((j) => j.args)).toEqual([["done"]]);

    await client.push({ class: "Billing::Countdown", args: [1] });
    expect(await Testing.drainAll()).toBe(4); // the receipt left above, two countdowns, their receipt
    expect(runs.slice(3).map((r) => [r.className, r.args])).toEqual([
      ["Billing::Receipt", ["done"]],
      ["Billing::Countdown", [1]],
      ["Billing::Countdown", [0]],
      ["Billing::Receipt", ["done"]],
    ]);
    expect(Testing.jobs).toEqual([]);
  });

  it("drains with a Kiq's registry", async () => {
    const kiq = new Kiq({ jobs: [charge, Receipt] });
    await client.push({ class: "Billing::Receipt", args: ["k"] });
    await client.push({ class: "Ruby::Only", args: [] });
    expect(await Testing.drain(kiq)).toBe(1);
    expect(runs.map((r) => r.className)).toEqual(["Billing::Receipt"]);
    expect(Testing.jobs.map((j) => j.class)).toEqual(["Ruby::Only"]);
  });

  it("lets a handler's error reach the test, with no retry: the failed job is gone, the rest stay", async () => {
    await client.push({ class: "Billing::Boom", args: ["card declined"] });
    await client.push({ class: "Billing::Boom", args: ["second"] });
    await expect(Testing.drain(boom)).rejects.toThrow("card declined");
    expect(Testing.jobs.map((j) => j.args)).toEqual([["second"]]);
    expect(redis.status).toBe("wait");
  });

  it("drainAll stops at a class nobody registered, leaving it captured", async () => {
    await client.push({ class: "Ruby::Only", args: [] });
    await expect(Testing.drainAll()).rejects.toThrow(/Testing\.register/);
    await expect(Testing.drainAll()).rejects.toThrow(KiqError);
    expect(Testing.jobs).toHaveLength(1);
  });

  it("runs Testing.middleware around drained jobs, with currentJob() set", async () => {
    const seen: string[] = [];
    Testing.middleware.use(async ({ job, queue, definition }, next) => {
      seen.push(`${definition.className}@${queue}:${job.jid === currentJob()?.jid}`);
      await next();
    });
    const arrow = defineJob("Billing::Arrow", () => {
      seen.push(`arrow sees ${currentJob()?.className}`);
    });
    await client.push({ class: "Billing::Arrow", args: [] });
    await Testing.drain(arrow);
    expect(seen).toEqual(["Billing::Arrow@default:false", "arrow sees Billing::Arrow"]);
  });
});

describe("inline mode", () => {
  beforeEach(() => {
    Testing.inline();
    Testing.register(charge, Receipt, boom, countdown);
  });

  it("runs the job inside the push, with args after the worker's JSON round trip", async () => {
    const args = [12345678901234567890n, new RubyFloat(2), { nested: [1.5, "x"] }];
    const jid = await client.push({ class: "Billing::Charge", args, queue: "billing" });
    expect(runs).toEqual([
      {
        className: "Billing::Charge",
        args: [12345678901234567890n, 2, { nested: [1.5, "x"] }],
        jid,
        queue: "billing",
      },
    ]);
    expect(Testing.jobs).toEqual([]);
    expect(redis.status).toBe("wait");
  });

  it("rejects what production rejects, before anything runs", async () => {
    await expect(client.push({ class: "Billing::Charge", args: [new Date()] })).rejects.toThrow(
      InvalidJobError,
    );
    await expect(client.push({ class: "Billing::Charge", args: [Number.NaN] })).rejects.toThrow(
      InvalidJobError,
    );
    expect(runs).toEqual([]);
  });

  it("surfaces the handler's error from the push", async () => {
    await expect(client.push({ class: "Billing::Boom", args: ["card declined"] })).rejects.toThrow(
      "card declined",
    );
  });

  it("refuses a class nobody registered", async () => {
    await expect(client.push({ class: "Ruby::Only", args: [] })).rejects.toThrow(/Testing\.register/);
  });

  it("runs bulk, scheduled and nested pushes at once, in order, after client middleware", async () => {
    client.middleware.use(async ({ job }, next) => {
      job.args = [...job.args, "via middleware"];
      await next();
    });
    await client.pushBulk({ class: "Billing::Receipt", args: [[1], [2]] });
    await client.push({ class: "Billing::Charge", args: [3], in: 3600 });
    await client.push({ class: "Billing::Countdown", args: [1] });
    expect(runs.map((r) => [r.className, r.args])).toEqual([
      ["Billing::Receipt", [1, "via middleware"]],
      ["Billing::Receipt", [2, "via middleware"]],
      ["Billing::Charge", [3, "via middleware"]],
      ["Billing::Countdown", [1, "via middleware"]],
      ["Billing::Countdown", [0, "via middleware"]],
      ["Billing::Receipt", ["done", "via middleware"]],
    ]);
  });
});

describe("switching modes", () => {
  it("starts disabled and switches globally", () => {
    expect(Testing.mode).toBe("disable");
    Testing.fake();
    expect(Testing.mode).toBe("fake");
    Testing.inline();
    expect(Testing.mode).toBe("inline");
    Testing.disable();
    expect(Testing.mode).toBe("disable");
  });

  it("restores the previous mode after a scoped block, passing its value through", async () => {
    Testing.inline();
    const jid = await Testing.fake(async () => {
      expect(Testing.mode).toBe("fake");
      return client.push({ class: "Billing::Charge", args: [1] });
    });
    expect(Testing.mode).toBe("inline");
    expect(Testing.jobs.map((j) => j.jid)).toEqual([jid]);
    expect(runs).toEqual([]);
  });

  it("restores it when the block throws, and the error reaches the test", async () => {
    Testing.fake();
    await expect(
      Testing.inline(async () => {
        throw new Error("inside");
      }),
    ).rejects.toThrow("inside");
    expect(Testing.mode).toBe("fake");
    await expect(
      Testing.disable(() => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
    expect(Testing.mode).toBe("fake");
  });

  it("nests blocks; a global switch inside a block takes effect when it ends", async () => {
    await Testing.fake(async () => {
      await Testing.inline(async () => {
        expect(Testing.mode).toBe("inline");
        Testing.fake();
        expect(Testing.mode).toBe("inline");
      });
      expect(Testing.mode).toBe("fake");
    });
    expect(Testing.mode).toBe("fake");
  });

  it("restores the global mode after overlapping blocks (concurrent tests)", async () => {
    let releaseFirst!: () => void;
    const first = Testing.fake(() => new Promise<void>((resolve) => (releaseFirst = resolve)));
    let releaseSecond!: () => void;
    const second = Testing.inline(() => new Promise<void>((resolve) => (releaseSecond = resolve)));
    expect(Testing.mode).toBe("inline");
    releaseFirst();
    await first;
    expect(Testing.mode).toBe("inline");
    releaseSecond();
    await second;
    expect(Testing.mode).toBe("disable");
  });
});

describe("disable mode", () => {
  it("pushes to the real Redis, also from a block inside fake mode", async () => {
    const real = await freshRedis();
    const live = new Client({ url: testRedisUrl(), sidekiqVersion: 7 });
    try {
      Testing.disable();
      const jid = await live.push({ class: "Billing::Charge", args: [1] });
      expect(JSON.parse((await real.lindex("queue:default", 0)) as string).jid).toBe(jid);

      Testing.fake();
      await Testing.disable(() => live.push({ class: "Billing::Charge", args: [2] }));
      await live.push({ class: "Billing::Charge", args: [3] });
      expect(await real.llen("queue:default")).toBe(2);
      expect(Testing.jobs.map((j) => j.args)).toEqual([[3]]);
    } finally {
      await live.close();
    }
  });
});

describe("the built package", () => {
  it("intercepts clients of either build from either build of @kiq/core/testing", async () => {
    // The user's test requires the CJS testing entry while the app imports the ESM core.
    const script = `
      import { createRequire } from "node:module";
      import { Redis } from "ioredis";
      import { Client } from "@kiq/core";
      const { Testing } = createRequire(import.meta.url)("@kiq/core/testing");
      Testing.fake();
      const redis = new Redis({ lazyConnect: true });
      const jid = await new Client({ redis, sidekiqVersion: 8 }).push({ class: "A", args: [1] });
      console.log(JSON.stringify({ jid, captured: Testing.jobs[0].jid, status: redis.status }));
    `;
    const { stdout } = await promisify(execFile)("node", ["--input-type=module", "-e", script], {
      cwd: REPO_ROOT,
    });
    const { jid, captured, status } = JSON.parse(stdout);
    expect(captured).toBe(jid);
    expect(status).toBe("wait");
  });
});
