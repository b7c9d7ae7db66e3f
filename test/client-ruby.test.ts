// Node → Ruby: jobs pushed by kiq's Client are run by real Ruby Sidekiq servers, which receive
// exactly the values meant (compared as Ruby's own `args.inspect`). Ruby → Node: what Ruby's
// client writes parses in kiq without loss and re-serializes byte for byte.

import { Client, Payload, RubyFloat } from "@kiq/core";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { rubyFixture } from "./support/paths.js";
import { waitForReceived } from "./support/received.js";
import { closeAll, freshRedis, testRedisUrl } from "./support/redis.js";
import { type RubySidekiqServer, runRubyScript, SIDEKIQ_VERSIONS, startRubySidekiq } from "./support/ruby.js";

/** What Node pushes, and Ruby's `args.inspect` of what it must receive. */
const SHAPES: [name: string, args: unknown[], rubyInspect: string][] = [
  ["plain", [42, "usd", { amount: "19.99" }], '[42, "usd", {"amount"=>"19.99"}]'],
  [
    "big integers as BigInt",
    [12345678901234567890n, -99999999999999999999n],
    "[12345678901234567890, -99999999999999999999]",
  ],
  [
    "floats in Ruby's notation",
    [new RubyFloat(1), -0, 1e20, 0.1, 1.5e-5, 2.5],
    "[1.0, -0.0, 1.0e+20, 0.1, 1.5e-05, 2.5]",
  ],
  [
    "unicode and escapes",
    ["ü日本😀", 'tab\tquote"back\\slash', "\u0001\u2028/"],
    '["ü日本😀", "tab\\tquote\\"back\\\\slash", "\\u0001\\u2028/"]',
  ],
  ["empty containers", [[], {}, ""], '[[], {}, ""]'],
  [
    "nested data",
    [{ a: [1, { b: null }], c: true, d: false }],
    '[{"a"=>[1, {"b"=>nil}], "c"=>true, "d"=>false}]',
  ],
  ["no args", [], "[]"],
];

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});
afterAll(closeAll);

describe.each(SIDEKIQ_VERSIONS)("Node pushes, Ruby Sidekiq %i runs", (version) => {
  let server: RubySidekiqServer | undefined;
  let client: Client;
  beforeEach(() => {
    client = new Client({ url: testRedisUrl(), sidekiqVersion: version });
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await client.close();
  });

  it("every JSON shape, plain, scheduled and bulk, into a namespaced class", async () => {
    const jids: Record<string, string | null> = {};
    for (const [name, args] of SHAPES) jids[name] = await client.push({ class: "Billing::Charge", args });
    jids.scheduled = await client.push({ class: "Echo", args: [new RubyFloat(3), 7n], in: 1 });
    const bulk = await client.pushBulk({ class: "Echo", args: [[1], [2], [3]], queue: "bulk" });
    server = startRubySidekiq(version, {
      requireFile: rubyFixture("jobs.rb"),
      queues: ["default", "bulk"],
      env: { KIQ_TEST_POLL: "0.5" },
    });
    const received = await waitForReceived(redis, SHAPES.length + 4, { server, timeoutMs: 30_000 });
    const byJid = new Map(received.map((r) => [r.jid, r]));
    for (const [name, , rubyInspect] of SHAPES) {
      const job = byJid.get(jids[name] as string);
      expect(job?.class, name).toBe("Billing::Charge");
      expect(job?.args_inspect, name).toBe(rubyInspect);
    }
    expect(byJid.get(jids.scheduled as string)?.args_inspect).toBe("[3.0, 7]");
    expect(bulk.map((jid) => byJid.get(jid as string)?.args_inspect)).toEqual(["[1]", "[2]", "[3]"]);
    expect(bulk.every((jid) => byJid.get(jid as string)?.queue === "bulk")).toBe(true);
    expect(received.every((r) => r.sidekiq_version.startsWith(`${version}.`))).toBe(true);
  });

  it("Ruby's API reads kiq's timestamps in its own unit", async () => {
    const before = Date.now() / 1000;
    await client.push({ class: "Echo", args: [] });
    await client.push({ class: "Echo", args: [], in: 3600 });
    const view = await runRubyScript<{
      queue_views: Record<string, { created_at: number; enqueued_at: number }[]>;
      scheduled: { score: number; view: { created_at: number } }[];
    }>(version, rubyFixture("inspect.rb"));
    const queued = view.queue_views.default?.[0];
    expect(queued?.created_at).toBeGreaterThanOrEqual(before - 1);
    expect(queued?.enqueued_at).toBeLessThan(Date.now() / 1000 + 1);
    expect(view.scheduled[0]?.score).toBeGreaterThan(before + 3590);
    expect(view.scheduled[0]?.view.created_at).toBeLessThan(Date.now() / 1000 + 1);
  });
});

describe.each(SIDEKIQ_VERSIONS)("kiq's Client writes what Sidekiq %i's client writes", (version) => {
  it("the same keys, in the same order, with the same types, for push, scheduled push and push_bulk", async () => {
    const item = {
      class: "Billing::Charge",
      args: [1, "x"],
      queue: "billing",
      retry: 3,
      backtrace: true,
      tags: ["t"],
    };
    const shapeOf = (raw: string) =>
      Object.entries(JSON.parse(raw)).map(([key, value]) => [
        key,
        key.endsWith("_at") ? String(value).includes(".") : typeof value,
      ]);
    const stored = async () => {
      const all = [
        ...(await redis.lrange("queue:billing", 0, -1)),
        ...(await redis.zrange("schedule", 0, -1)),
      ];
      await redis.flushdb();
      return all.map(shapeOf);
    };
    const at = Date.now() / 1000 + 600;
    await runRubyScript(version, rubyFixture("enqueue.rb"), [
      item,
      { ...item, at },
      { ...item, args: [[1], [2]], bulk: true },
    ]);
    const ruby = await stored();
    const client = new Client({ url: testRedisUrl(), sidekiqVersion: version });
    await client.push(item);
    await client.push({ ...item, at });
    await client.pushBulk({ ...item, args: [[1], [2]] });
    await client.close();
    expect(await stored()).toEqual(ruby);
  });
});

describe.each(SIDEKIQ_VERSIONS)("Ruby Sidekiq %i pushes, kiq reads", (version) => {
  it("without loss, and re-serializes what it does not change byte for byte", async () => {
    const args = [
      { $ruby: "1.0" },
      { $ruby: "-0.0" },
      { $ruby: "12345678901234567890" },
      { $ruby: "1.0e+20" },
      "ü\u0001",
      { nested: [[], {}] },
      null,
    ];
    await runRubyScript(version, rubyFixture("enqueue.rb"), [
      { class: "Billing::Charge", args },
      { class: "Echo", args: [1], at: { $ruby: "Time.now.to_f + 60" } },
      { class: "Echo", args: [[1], [2]], bulk: true },
    ]);
    const stored = [
      ...(await redis.lrange("queue:default", 0, -1)),
      ...(await redis.zrange("schedule", 0, -1)),
    ];
    expect(stored).toHaveLength(4);
    for (const raw of stored) expect(Payload.parse(raw).toString()).toBe(raw);
    const charge = stored.map((raw) => Payload.parse(raw)).find((p) => p.item.class === "Billing::Charge");
    expect(charge?.item.args).toEqual([
      1,
      -0,
      12345678901234567890n,
      1e20,
      "ü\u0001",
      { nested: [[], {}] },
      null,
    ]);
    expect(charge?.toString()).toContain(
      '"args":[1.0,-0.0,12345678901234567890,1.0e+20,"ü\\u0001",{"nested":[[],{}]},null]',
    );
  });
});
