// ActiveJob on Sidekiq in Node: ActiveJob's argument serializers decoded from what Rails 6.1
// wrote (the recorded vectors) and encoded back byte for byte; the forms later Rails write (from
// Rails' sources: time_zone, Range, BigDecimalSerializer, nanosecond enqueued_at, scheduled_at);
// the envelope per Sidekiq version; and a kiq worker running wrapped jobs on a real Redis.

import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../test/support/redis.js";
import {
  type ActiveJobContext,
  ActiveJobDeserializationError,
  ActiveJobSerializationError,
  Client,
  decodeArgument,
  decodeArguments,
  defineActiveJob,
  defineJob,
  encodeArgument,
  encodeArguments,
  GlobalId,
  generateJson,
  InvalidJobError,
  isIndifferentAccess,
  isKeywordArguments,
  JOB_WRAPPER,
  kwargs,
  Payload,
  parseJson,
  pushActiveJob,
  RubyBigDecimal,
  RubyDate,
  RubyDuration,
  RubyFloat,
  RubyModule,
  RubyRange,
  RubySymbol,
  RubyTime,
  readJobData,
  SERIALIZERS,
  SerializedObject,
  SIDEKIQ_WRAPPER,
  type SidekiqVersion,
  serializeJobData,
  symbolKeys,
  withIndifferentAccess,
  withSymbolKeys,
  wrapActiveJob,
} from "../src/index.js";
import { skipValue } from "../src/wire/json.js";
import { vector } from "./vectors.js";
import { eventually, startWorker, stopWorkers, zsetEntries } from "./worker-helpers.js";

const AJ_6_1 = vector("wire-6.4.1/activejob-6.1.json");
const RECORDED = vector("recorded/activejob-6.1-sidekiq-6.4.1.json");
const ENQUEUED_RAW: string = AJ_6_1.enqueued[0].raw;
const SCHEDULED = AJ_6_1.scheduled[0] as { raw: string; score: number };
// The recorded file holds Sidekiq's strict-args warning before the payload line.
const RECORDED_RAW = (RECORDED.payload as string).split("\n").at(-1) as string;

/** The exact text of the first `"key":` value in a JSON document. */
function rawValue(text: string, key: string): string {
  const start = text.indexOf(`"${key}":`) + key.length + 3;
  return text.slice(start, skipValue(text, start));
}

/** The job hash (args[0]) exactly as Ruby wrote it. */
function rawJobData(raw: string): string {
  return rawValue(raw, "args").slice(1, -1);
}

const sym = (name: string) => new RubySymbol(name);

describe("decoding what Rails 6.1 wrote (vectors)", () => {
  const data = readJobData(Payload.parse(ENQUEUED_RAW).item);
  const args = decodeArguments(data.arguments);

  it("gives every serializer's typed value", () => {
    expect(args).toStrictEqual([
      1,
      "s",
      1.5,
      null,
      true,
      sym("sym"),
      { str: 1 },
      { sym: 2, str: 3 },
      { a: 1 },
      new RubyTime("2024-01-02T03:04:05.123456789Z", "Time"),
      new RubyTime("2024-06-01T12:00:00.000000000+02:00", "ActiveSupport::TimeWithZone"),
      new RubyDate("2024-02-29"),
      new RubyTime("2024-03-01T10:11:12.000000000+02:00", "DateTime"),
      "12.345", // Rails 6.1 passes BigDecimal through; Sidekiq's JSON makes it a String
      new RubyDuration(266400, { days: 3, hours: 2 }),
      new RubyModule("String"),
      GlobalId.parse("gid://myapp/Person/7"),
      [1, [sym("x")]],
      { kw1: "v", kw2: sym("s") },
    ]);
  });

  it("keeps which keys were Symbols, keyword arguments and indifferent access observable", () => {
    const [strHash, mixed, indifferent] = args.slice(6, 9) as [object, object, object];
    const kw = args[18] as object;
    expect(symbolKeys(strHash)).toEqual([]);
    expect(symbolKeys(mixed)).toEqual(["sym"]);
    expect(isIndifferentAccess(indifferent)).toBe(true);
    expect(isKeywordArguments(kw)).toBe(true);
    expect(symbolKeys(kw)).toEqual(["kw1", "kw2"]);
    expect(isKeywordArguments(mixed)).toBe(false);
  });

  it("derives Dates, offsets, nanoseconds and GlobalID parts", () => {
    const time = args[9] as RubyTime;
    expect(time.date.toISOString()).toBe("2024-01-02T03:04:05.123Z");
    expect(time.nanosecond).toBe(123456789);
    expect(time.epochNanoseconds).toBe(1704164645123456789n);
    const zoned = args[10] as RubyTime;
    expect([zoned.offset, zoned.zone, zoned.date.toISOString()]).toEqual([
      "+02:00",
      undefined, // no time_zone key before Rails 7.0
      "2024-06-01T10:00:00.000Z",
    ]);
    expect((args[11] as RubyDate).toDate().toISOString()).toBe("2024-02-29T00:00:00.000Z");
    const gid = args[16] as GlobalId;
    expect([gid.app, gid.modelName, gid.modelId, gid.params]).toEqual(["myapp", "Person", "7", {}]);
  });

  it("re-encodes the arguments and the whole job hash byte for byte", () => {
    expect(generateJson(encodeArguments(args, { rails: "6.1" }))).toBe(rawValue(ENQUEUED_RAW, "arguments"));
    const rebuilt = serializeJobData(
      {
        jobClass: data.job_class,
        jobId: data.job_id,
        queueName: data.queue_name,
        priority: data.priority,
        arguments: encodeArguments(args),
        locale: data.locale,
        timezone: data.timezone,
        scheduledAtMs: undefined,
      },
      "6.1",
      Date.parse(data.enqueued_at),
    );
    expect(generateJson(rebuilt)).toBe(rawJobData(ENQUEUED_RAW));
  });

  it("decodes the recorded Reports::GenerateJob payload and re-encodes it exactly", () => {
    const recorded = readJobData(Payload.parse(RECORDED_RAW).item);
    const decoded = decodeArguments(recorded.arguments);
    expect(decoded).toStrictEqual([
      42,
      "str",
      { sym: sym("val"), k: 1 },
      new RubyTime("2026-01-02T03:04:05.000000000Z"),
      "19.99",
      new RubyDate("2026-01-02"),
      new RubyDuration(300, { minutes: 5 }),
      GlobalId.parse("gid://bars/Account/7"),
      sym("a_symbol"),
    ]);
    expect(generateJson(encodeArguments(decoded))).toBe(rawValue(RECORDED_RAW, "arguments"));
  });

  it("reads Sidekiq 8's cattr pairs (ActiveJob's form of the attribute hash)", () => {
    const payload = vector("recorded/cattr-7.3.10-8.1.7.json").payloads["8.1.7"] as string;
    const pairs = decodeArgument(parseJson(rawValue(payload, "cattr")));
    expect(pairs).toStrictEqual([
      [sym("tenant_id"), 42],
      [sym("locale"), "de"],
    ]);
  });
});

describe("the forms later Rails write (from Rails' serializers)", () => {
  const TWZ = `{"_aj_serialized":"${SERIALIZERS.TimeWithZone}","value":"2024-06-01T12:00:00.000000000+02:00","time_zone":"Europe/Berlin"}`;
  const RANGE = `{"_aj_serialized":"${SERIALIZERS.Range}","begin":1,"end":{"_aj_serialized":"${SERIALIZERS.Date}","value":"2024-01-31"},"exclude_end":true}`;
  const DECIMAL = `{"_aj_serialized":"${SERIALIZERS.BigDecimal}","value":"12.345"}`;
  const CUSTOM = '{"_aj_serialized":"MoneySerializer","value":"1.00","currency":"EUR","1":[2]}';

  it("decodes TimeWithZone's zone (7.0+), Range (7.0+), BigDecimal (7.2+) and keeps unknown serializers whole", () => {
    const [twz, range, decimal, custom] = decodeArguments(
      parseJson(`[${TWZ},${RANGE},${DECIMAL},${CUSTOM}]`) as never[],
    );
    expect(twz).toStrictEqual(
      new RubyTime("2024-06-01T12:00:00.000000000+02:00", "ActiveSupport::TimeWithZone", "Europe/Berlin"),
    );
    expect(range).toStrictEqual(new RubyRange<unknown>(1, new RubyDate("2024-01-31"), true));
    expect(decimal).toStrictEqual(new RubyBigDecimal("12.345"));
    expect(custom).toBeInstanceOf(SerializedObject);
    expect((custom as SerializedObject).serializer).toBe("MoneySerializer");
  });

  it("encodes them back for Rails 8.1 byte for byte (but integer-like keys, which JavaScript lists first)", () => {
    const text = `[${TWZ},${RANGE},${DECIMAL},${CUSTOM}]`;
    const decoded = decodeArguments(parseJson(text) as never[]);
    const jsOrder = '{"1":[2],"_aj_serialized":"MoneySerializer","value":"1.00","currency":"EUR"}';
    expect(generateJson(encodeArguments(decoded, { rails: "8.1" }))).toBe(text.replace(CUSTOM, jsOrder));
  });

  it("writes what an older Rails can read: no time_zone before 7.0, BigDecimal as a String before 7.2, no Range before 7.0", () => {
    const twz = new RubyTime(
      "2024-06-01T12:00:00.000000000+02:00",
      "ActiveSupport::TimeWithZone",
      "Europe/Berlin",
    );
    expect(encodeArgument(twz, { rails: "6.1" })).toEqual({
      _aj_serialized: SERIALIZERS.TimeWithZone,
      value: "2024-06-01T12:00:00.000000000+02:00",
    });
    expect(encodeArgument(new RubyBigDecimal("19.99"), { rails: "7.1" })).toBe("19.99");
    expect(encodeArgument(new RubyBigDecimal("19.99"), { rails: "7.2" })).toEqual({
      _aj_serialized: SERIALIZERS.BigDecimal,
      value: "19.99",
    });
    expect(() => encodeArgument(new RubyRange(1, 2), { rails: "6.1" })).toThrow(ActiveJobSerializationError);
  });

  it("writes enqueued_at with nine digits and scheduled_at from Rails 7.1 on", () => {
    const fields = {
      jobClass: "AjJob",
      jobId: "11111111-2222-4333-8444-555555555555",
      queueName: "default",
      priority: null,
      arguments: [],
      locale: "en",
      timezone: "UTC",
      scheduledAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678) + 0.25,
    };
    const now = Date.UTC(2026, 0, 1, 0, 0, 0, 1) + 0.5;
    const old = serializeJobData(fields, "7.0", now);
    expect([old.enqueued_at, "scheduled_at" in old]).toEqual(["2026-01-01T00:00:00Z", false]);
    const modern = serializeJobData(fields, "7.1", now);
    expect(Object.keys(modern).slice(-2)).toEqual(["enqueued_at", "scheduled_at"]);
    expect([modern.enqueued_at, modern.scheduled_at]).toEqual([
      "2026-01-01T00:00:00.001500000Z",
      "2026-01-02T03:04:05.678250000Z",
    ]);
    expect(serializeJobData({ ...fields, scheduledAtMs: undefined }, "8.1", now).scheduled_at).toBeNull();
  });
});

describe("encoding Node values", () => {
  it("marks hashes: String keys by default, Symbol keys, keyword arguments, indifferent access", () => {
    const encoded = encodeArguments([
      { a: 1 },
      withSymbolKeys({ a: 1, b: 2 }, ["b"]),
      withIndifferentAccess({ a: 1 }),
      kwargs({ notify: true, at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)) }),
    ]);
    expect(generateJson(encoded)).toBe(
      '[{"a":1,"_aj_symbol_keys":[]},{"a":1,"b":2,"_aj_symbol_keys":["b"]},{"a":1,"_aj_hash_with_indifferent_access":true},' +
        `{"notify":true,"at":{"_aj_serialized":"${SERIALIZERS.Time}","value":"2024-01-02T03:04:05.006000000Z"},"_aj_ruby2_keywords":["notify","at"]}]`,
    );
  });

  it("writes Symbols, Durations, Modules, GlobalIDs, big integers and Ruby Floats", () => {
    const gid = GlobalId.build({
      app: "shop",
      modelName: "Admin::User",
      modelId: "a b/é",
      params: { db: "replica" },
    });
    expect(gid.toString()).toBe("gid://shop/Admin::User/a+b%2F%C3%A9?db=replica");
    expect(GlobalId.parse(gid.uri)).toStrictEqual(gid);
    const encoded = encodeArguments([
      sym("x"),
      RubyDuration.of({ hours: 1, minutes: 30 }),
      new RubyModule("User"),
      gid,
      2n ** 64n,
      new RubyFloat(2),
    ]);
    expect(generateJson(encoded)).toBe(
      `[{"_aj_serialized":"${SERIALIZERS.Symbol}","value":"x"},` +
        `{"_aj_serialized":"${SERIALIZERS.Duration}","value":5400,"parts":[[{"_aj_serialized":"${SERIALIZERS.Symbol}","value":"hours"},1],[{"_aj_serialized":"${SERIALIZERS.Symbol}","value":"minutes"},30]]},` +
        `{"_aj_serialized":"${SERIALIZERS.Module}","value":"User"},{"_aj_globalid":"gid://shop/Admin::User/a+b%2F%C3%A9?db=replica"},18446744073709551616,2.0]`,
    );
  });

  it("refuses what ActiveJob refuses, naming where", () => {
    expect(() => encodeArguments([{ ok: { _aj_globalid: "x" } }])).toThrow(
      /arguments\[0\]\.ok: Can't serialize a Hash with reserved key "_aj_globalid"/,
    );
    expect(() => encodeArguments([new Map()])).toThrow(/arguments\[0\]: Unsupported argument type: Map/);
    for (const bad of [undefined, Number.NaN, () => 1, Symbol("s"), new Date(Number.NaN)]) {
      expect(() => encodeArguments([[bad]])).toThrow(ActiveJobSerializationError);
    }
  });

  it("fails a bad stored argument with ActiveJob::DeserializationError", () => {
    const bad = [
      `{"_aj_serialized":"${SERIALIZERS.Time}","value":"yesterday"}`,
      '{"_aj_globalid":"http://x"}',
      '{"_aj_serialized":7}',
    ];
    for (const text of bad) {
      const error = (() => {
        try {
          decodeArguments([parseJson(text)]);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(ActiveJobDeserializationError);
      expect(error?.name).toBe("ActiveJob::DeserializationError");
      expect(error?.message).toMatch(/^Error while trying to deserialize arguments: /);
    }
  });
});

describe("the Sidekiq envelope per version", () => {
  const data = serializeJobData(
    {
      jobClass: "AjJob",
      jobId: "j",
      queueName: "mailers",
      priority: null,
      arguments: [],
      locale: "en",
      timezone: null,
      scheduledAtMs: undefined,
    },
    "6.1",
    0,
  );
  const keys = (version: SidekiqVersion, rails: "6.1" | "7.0") =>
    Object.entries(
      wrapActiveJob(data, {
        sidekiqVersion: version,
        rails,
        sidekiqOptions: { retry: 3, backtrace: 5, queue: "x" },
      }),
    );

  it("names JobWrapper for 6 and 7 and Sidekiq::ActiveJob::Wrapper for 8 on Rails 7.0+, in each adapter's key order", () => {
    const railsAdapter = [
      ["retry", 3],
      ["backtrace", 5],
      ["class", JOB_WRAPPER],
      ["wrapped", "AjJob"],
      ["queue", "mailers"],
      ["args", [data]],
    ];
    expect(keys(6, "6.1")).toEqual(railsAdapter);
    expect(keys(7, "6.1")).toEqual([
      ["retry", 3],
      ["backtrace", 5],
      ["wrapped", "AjJob"],
      ["queue", "mailers"],
      ["args", [data]],
      ["class", JOB_WRAPPER],
    ]);
    expect(keys(8, "7.0")).toEqual([
      ["retry", 3],
      ["backtrace", 5],
      ["wrapped", "AjJob"],
      ["queue", "mailers"],
      ["args", [data]],
      ["class", SIDEKIQ_WRAPPER],
    ]);
    // Sidekiq 8's adapter does not load with ActiveJob 6.1: Rails' own adapter writes the job
    expect(keys(8, "6.1")).toEqual(railsAdapter);
  });
});

describe("on a real Redis", () => {
  let redis: Redis;
  let client: Client | undefined;
  beforeEach(async () => {
    redis = await freshRedis();
  });
  afterEach(async () => {
    await stopWorkers();
    await client?.close();
    client = undefined;
  });
  afterAll(closeAll);

  type Seen = { args: unknown[]; ctx: Record<string, unknown> };
  const FIELDS = [
    "jobClass",
    "jobId",
    "providerJobId",
    "queueName",
    "priority",
    "executions",
    "locale",
    "timezone",
    "className",
    "jid",
  ] as const;
  function recorder(seen: Seen[]) {
    return function (this: ActiveJobContext, ...args: unknown[]) {
      const ctx: Record<string, unknown> = Object.fromEntries(FIELDS.map((field) => [field, this[field]]));
      ctx.enqueuedAt = this.enqueuedAt?.toISOString();
      seen.push({ args, ctx });
    };
  }

  it("runs Ruby's wrapped job (either wrapper name) in its ActiveJob definition with decoded args and ActiveJob's fields", async () => {
    const seen: Seen[] = [];
    await startWorker({ jobs: [defineActiveJob("AjJob", recorder(seen))], queues: ["mailers"] });
    const renamed = ENQUEUED_RAW.replace(JOB_WRAPPER, SIDEKIQ_WRAPPER).replace(
      /"jid":"\w+"/,
      '"jid":"0123456789abcdef01234567"',
    );
    await redis.lpush("queue:mailers", ENQUEUED_RAW, renamed);
    await eventually(() => seen.length === 2);
    const expectedArgs = decodeArguments(readJobData(Payload.parse(ENQUEUED_RAW).item).arguments);
    for (const run of seen) expect(run.args).toStrictEqual(expectedArgs);
    expect(seen.map((run) => run.ctx)).toEqual([
      {
        jobClass: "AjJob",
        jobId: "537f08a1-591f-45f1-a582-09f3f9963e34",
        providerJobId: "0cb3867e867de954fbb68f5f",
        jid: "0cb3867e867de954fbb68f5f",
        className: JOB_WRAPPER,
        queueName: "mailers",
        priority: null,
        executions: 1,
        locale: "en",
        timezone: "Europe/Berlin",
        enqueuedAt: "2026-11-22T20:12:59.000Z",
      },
      expect.objectContaining({ className: SIDEKIQ_WRAPPER, providerJobId: "0123456789abcdef01234567" }),
    ]);
  });

  it("retries a failing ActiveJob with args[0] unchanged (executions stays), using the definition's retryIn", async () => {
    const failing = defineActiveJob(
      "AjJob",
      () => {
        throw new TypeError("no invoice");
      },
      { retryIn: () => 3600 },
    );
    await startWorker({ jobs: [failing], queues: ["mailers"] });
    const before = Date.now() / 1000;
    await redis.lpush("queue:mailers", ENQUEUED_RAW);
    const [entry] = await eventually(async () => {
      const entries = await zsetEntries(redis, "retry");
      return entries.length === 1 ? entries : undefined;
    });
    expect(rawValue(entry?.value as string, "args")).toBe(rawValue(ENQUEUED_RAW, "args"));
    expect(JSON.parse(entry?.value as string)).toMatchObject({
      error_class: "TypeError",
      error_message: "no invoice",
      retry_count: 0,
      wrapped: "AjJob",
    });
    expect(entry?.score).toBeGreaterThan(before + 3600);
  });

  it("fails an ActiveJob class Node does not know like Ruby's NameError, naming the ActiveJob class; a wrapper-level job catches the rest", async () => {
    const generic: unknown[] = [];
    await startWorker({ jobs: [defineActiveJob("Other", () => {})], queues: ["mailers"] });
    await redis.lpush("queue:mailers", ENQUEUED_RAW);
    const [entry] = await eventually(async () => {
      const entries = await zsetEntries(redis, "retry");
      return entries.length === 1 ? entries : undefined;
    });
    expect(JSON.parse(entry?.value as string)).toMatchObject({
      error_class: "NameError",
      error_message: "uninitialized constant AjJob",
    });
    await stopWorkers();

    await startWorker({
      jobs: [defineJob(JOB_WRAPPER, (data: { job_class: string }) => void generic.push(data.job_class))],
      queues: ["mailers"],
    });
    await redis.lpush("queue:mailers", ENQUEUED_RAW);
    await eventually(() => generic.length === 1);
    expect(generic).toEqual(["AjJob"]);
  });

  it.each([6, 7, 8] as const)(
    "pushActiveJob writes the job Sidekiq %i's adapter would, and kiq runs it",
    async (version) => {
      client = new Client({ url: testRedisUrl(), sidekiqVersion: version });
      const invoice = defineActiveJob("SendInvoiceJob", () => {}, { queue: "mailers", retry: 3 });
      const args = [
        7,
        sym("eur"),
        kwargs({ due: new RubyDate("2024-02-29"), total: new RubyBigDecimal("19.99") }),
      ];
      const { jid, jobId } = await pushActiveJob(client, {
        jobClass: invoice,
        args,
        priority: 5,
        locale: "de",
        timezone: "Europe/Berlin",
      });
      const [raw] = await redis.lrange("queue:mailers", 0, -1);
      const item = Payload.parse(raw as string).item;
      const wrapper = version === 8 ? SIDEKIQ_WRAPPER : JOB_WRAPPER;
      const order =
        version === 6 ? ["queue", "class", "wrapped", "args"] : ["queue", "wrapped", "args", "class"];
      expect(Object.keys(item)).toEqual(["retry", ...order, "jid", "created_at", "enqueued_at"]);
      expect(item).toMatchObject({
        retry: 3,
        class: wrapper,
        wrapped: "SendInvoiceJob",
        queue: "mailers",
        jid,
      });
      const data = readJobData(item);
      expect(Object.keys(data)).toEqual([
        "job_class",
        "job_id",
        "provider_job_id",
        "queue_name",
        "priority",
        "arguments",
        "executions",
        "exception_executions",
        "locale",
        "timezone",
        "enqueued_at",
      ]);
      expect(data).toMatchObject({
        job_class: "SendInvoiceJob",
        job_id: jobId,
        provider_job_id: null,
        queue_name: "mailers",
        priority: 5,
        executions: 0,
        exception_executions: {},
        locale: "de",
        timezone: "Europe/Berlin",
      });
      expect(jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(data.enqueued_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/); // Rails 6.1 / 7.0: whole seconds
      expect(decodeArguments(data.arguments)).toStrictEqual([
        7,
        sym("eur"),
        { due: new RubyDate("2024-02-29"), total: "19.99" },
      ]);

      const seen: Seen[] = [];
      await startWorker({
        jobs: [defineActiveJob("SendInvoiceJob", recorder(seen))],
        queues: ["mailers"],
        sidekiqVersion: version,
      });
      await eventually(() => seen.length === 1);
      expect(seen[0]?.ctx).toMatchObject({
        jobId,
        providerJobId: jid,
        priority: 5,
        executions: 1,
        locale: "de",
      });
    },
  );

  it("pushActiveJob writes nothing for bad input", async () => {
    client = new Client({ url: testRedisUrl(), sidekiqVersion: 7 });
    const c = client;
    await expect(pushActiveJob(c, { jobClass: "AjJob", args: [{ _aj_symbol_keys: [] }] })).rejects.toThrow(
      ActiveJobSerializationError,
    );
    await expect(pushActiveJob(c, { jobClass: "AjJob", wait: 1, waitUntil: new Date() })).rejects.toThrow(
      InvalidJobError,
    );
    await expect(pushActiveJob(c, { jobClass: "AjJob", args: "x" as never })).rejects.toThrow(
      InvalidJobError,
    );
    await expect(pushActiveJob(c, { jobClass: "AjJob", rails: "5.2" as never })).rejects.toThrow(
      InvalidJobError,
    );
    expect(await redis.keys("*")).toEqual([]);
  });

  it("schedules with wait: `at` in the schedule set, scheduled_at in the job hash for Rails 7.1+", async () => {
    client = new Client({ url: testRedisUrl(), sidekiqVersion: 7 });
    const before = Date.now() / 1000;
    await pushActiveJob(client, {
      jobClass: "AjJob",
      args: ["sched"],
      wait: RubyDuration.of({ hours: 1 }),
      rails: "7.1",
    });
    const [entry] = await zsetEntries(redis, "schedule");
    const item = Payload.parse(entry?.value as string).item;
    expect(item.at).toBeUndefined();
    expect(item.enqueued_at).toBeUndefined(); // Sidekiq 7.1.2+ writes none for scheduled jobs
    const data = readJobData(item);
    expect(entry?.score).toBeGreaterThanOrEqual(before + 3600);
    expect(entry?.score).toBeLessThan(before + 3601);
    expect(new RubyTime(data.scheduled_at as string).date.getTime() / 1000).toBeCloseTo(
      entry?.score as number,
      2,
    );
    expect(data.enqueued_at).toMatch(/\.\d{9}Z$/);
  });

  it("matches the scheduled vector's envelope for Sidekiq 6 and Rails 6.1", async () => {
    client = new Client({ url: testRedisUrl(), sidekiqVersion: 6 });
    const scheduled = Payload.parse(SCHEDULED.raw).item;
    const stored = readJobData(scheduled);
    await pushActiveJob(client, {
      jobClass: "AjJob",
      args: ["sched"],
      queue: "mailers",
      priority: 5,
      wait: 3600,
      timezone: "Europe/Berlin",
      jobId: stored.job_id,
    });
    const [entry] = await zsetEntries(redis, "schedule");
    const ours = Payload.parse(entry?.value as string).item;
    expect(Object.keys(ours)).toEqual(Object.keys(scheduled));
    expect({ ...readJobData(ours), enqueued_at: "" }).toEqual({ ...stored, enqueued_at: "" });
  });
});
