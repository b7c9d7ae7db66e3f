// Rails ActiveJob <-> Node on a real Redis: Debian's ActiveJob 6.1 with `queue_adapter = :sidekiq`
// enqueues with perform_later (every argument serializer 6.1 has, keyword arguments, a GlobalID
// model, a scheduled job) and a kiq worker runs the jobs with the values Ruby meant; Node enqueues
// with pushActiveJob and a real Ruby Sidekiq server runs the job with the values Node meant, after
// Ruby and Node wrote the same payload byte for byte (ids and timestamps aside).
//
// Sidekiq 6.4.1, 7.3.10 and 8.1.7 all run here, with ActiveJob 6.1 (Debian has no later Rails):
// - 7.3.10 replaces Rails' adapter with its own through its Rails engine, as in a Rails app (railties
//   6.1 loads it): JobWrapper is then a subclass of Sidekiq::ActiveJob::Wrapper, and the keys come in
//   the order Sidekiq's `Wrapper.set(...).perform_async` gives.
// - 8.1.7's adapter requires ActiveJob 7.0+ and skips itself, so the fixture loads Rails' own adapter
//   and Ruby writes JobWrapper with Sidekiq 8's millisecond timestamps. Sidekiq 8 supports only
//   Rails 7.0+, where its adapter writes `Sidekiq::ActiveJob::Wrapper`; that name cannot be run by
//   ActiveJob 6.1 here, so Node pushes with `rails: "6.1"` for 8 (kiq then writes what Ruby writes
//   in this setup), and the Sidekiq::ActiveJob::Wrapper form is covered by activejob.test.ts.
// - 7.x/8.x's strict args reject the BigDecimal that Rails 6.1 passes through; the enqueue script
//   turns strict args off, as a Rails 6.1 app with BigDecimal arguments has to.

import {
  type ActiveJobContext,
  Client,
  defineActiveJob,
  GlobalId,
  isIndifferentAccess,
  isKeywordArguments,
  JOB_WRAPPER,
  Kiq,
  kwargs,
  Payload,
  pushActiveJob,
  RubyBigDecimal,
  RubyDate,
  RubyDuration,
  RubyFloat,
  RubyModule,
  RubySymbol,
  RubyTime,
  symbolKeys,
  withIndifferentAccess,
  withSymbolKeys,
} from "@kiq/core";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../packages/core/test/worker-helpers.js";
import { rubyFixture } from "./support/paths.js";
import { type ReceivedJob, waitForReceived } from "./support/received.js";
import { closeAll, freshRedis, testRedisUrl } from "./support/redis.js";
import { type RubySidekiqServer, runRubyScript, SIDEKIQ_VERSIONS, startRubySidekiq } from "./support/ruby.js";

const ACTIVE_JOBS = rubyFixture("active_jobs.rb");
const ENQUEUE = rubyFixture("enqueue_active_jobs.rb");
const QUEUE = "aj";

/** Every argument type ActiveJob 6.1 serializes, as Ruby source. */
const RUBY_ARGS = [
  "1",
  '"s"',
  "1.5",
  "nil",
  "true",
  ":sym",
  '{"str" => 1}',
  '{sym: 2, "str" => 3}',
  "ActiveSupport::HashWithIndifferentAccess.new(a: 1)",
  "Time.utc(2024, 1, 2, 3, 4, 5.123456789r)",
  "Time.zone.local(2024, 6, 1, 12)", // a TimeWithZone in Europe/Berlin
  "Date.new(2024, 2, 29)",
  'DateTime.new(2024, 3, 1, 10, 11, 12, "+02:00")',
  'BigDecimal("12.345")',
  "3.days + 2.hours",
  "String",
  "KiqTest::Person.new(7)",
  "[1, [:x]]",
];
const RUBY_KWARGS = 'kw1: "v", kw2: :s';

const sym = (name: string) => new RubySymbol(name);

/** The same arguments as Node values. */
function nodeArgs() {
  return [
    1,
    "s",
    1.5,
    null,
    true,
    sym("sym"),
    { str: 1 },
    withSymbolKeys({ sym: 2, str: 3 }, ["sym"]),
    withIndifferentAccess({ a: 1 }),
    new RubyTime("2024-01-02T03:04:05.123456789Z"),
    new RubyTime("2024-06-01T12:00:00.000000000+02:00", "ActiveSupport::TimeWithZone"),
    new RubyDate("2024-02-29"),
    new RubyTime("2024-03-01T10:11:12.000000000+02:00", "DateTime"),
    "12.345", // what Rails 6.1 makes of a BigDecimal
    RubyDuration.of({ days: 3, hours: 2 }),
    new RubyModule("String"),
    GlobalId.build({ app: "kiq-test", modelName: "KiqTest::Person", modelId: 7 }),
    [1, [sym("x")]],
  ];
}

let redis: Redis;
let kiq: Kiq | undefined;
let client: Client | undefined;
let server: RubySidekiqServer | undefined;
beforeEach(async () => {
  redis = await freshRedis();
});
afterEach(async () => {
  await Promise.all([kiq?.stop(), server?.stop(), client?.close()]);
  kiq = undefined;
  server = undefined;
  client = undefined;
});
afterAll(closeAll);

/** A payload with what differs between any two pushes (ids, timestamps) blanked. */
function normalized(raw: string): string {
  return raw
    .replace(/"(jid|job_id|enqueued_at)":"[^"]*"/g, '"$1":"…"')
    .replace(/"(created_at|enqueued_at)":[\d.]+/g, '"$1":0');
}

interface Run {
  args: unknown[];
  jobId: string;
  providerJobId: string;
  priority: number | null;
  executions: number;
  timezone: string | null;
  className: string;
}

describe.each(SIDEKIQ_VERSIONS)("ActiveJob 6.1 on Ruby Sidekiq %i", (version) => {
  it("runs Ruby's perform_later of every 6.1 argument type in a kiq worker, with the values Ruby meant", async () => {
    const runs: Run[] = [];
    const everyType = defineActiveJob(
      "KiqTest::EveryTypeJob",
      function (this: ActiveJobContext, ...args: unknown[]) {
        const { jobId, providerJobId, priority, executions, timezone, className } = this;
        runs.push({ args, jobId, providerJobId, priority, executions, timezone, className });
      },
    );
    kiq = new Kiq({
      url: testRedisUrl(),
      sidekiqVersion: version,
      queues: [QUEUE],
      pollIntervalAverage: 0.3,
      heartbeatInterval: 200,
      timeout: 1,
      logger: pino({ level: "silent" }),
    }).register(everyType);
    await kiq.start();
    const pushed = await runRubyScript<{ jid: string; job_id: string }[]>(version, ENQUEUE, [
      `KiqTest::EveryTypeJob.perform_later(${RUBY_ARGS.join(", ")}, ${RUBY_KWARGS})`,
      'KiqTest::EveryTypeJob.set(wait: 1, priority: 5).perform_later("sched")',
    ]);
    await eventually(() => runs.length === 2, 10_000);
    const [now, scheduled] = pushed;
    const run = runs.find((r) => r.jobId === now?.job_id) as Run;
    expect(run.args).toStrictEqual([...nodeArgs(), { kw1: "v", kw2: sym("s") }]);
    const [str, mixed, indifferent] = run.args.slice(6, 9) as object[];
    expect([
      symbolKeys(str as object),
      symbolKeys(mixed as object),
      isIndifferentAccess(indifferent as object),
    ]).toEqual([[], ["sym"], true]);
    expect(isKeywordArguments(run.args.at(-1) as object)).toBe(true);
    expect(run).toMatchObject({
      providerJobId: now?.jid,
      executions: 1,
      timezone: "Europe/Berlin",
      className: JOB_WRAPPER,
    });
    expect(runs.find((r) => r.jobId === scheduled?.job_id)).toMatchObject({
      args: ["sched"],
      priority: 5,
      providerJobId: scheduled?.jid,
    });
  });

  it("runs Node's pushActiveJob in a Ruby Sidekiq server, after Ruby and Node wrote the same payload", async () => {
    client = new Client({ url: testRedisUrl(), sidekiqVersion: version });
    // Sidekiq 8 with ActiveJob 6.1 uses Rails' own adapter (see the header): tell kiq the Rails release
    const rails = version === 8 ? ("6.1" as const) : undefined;
    const record = defineActiveJob("KiqTest::RecordJob", () => {}, { queue: QUEUE, retry: 2, backtrace: 3 });

    // The same small job from both sides: equal payloads but for ids and timestamps.
    const [rubySide] = await runRubyScript<{ jid: string }[]>(version, ENQUEUE, [
      'KiqTest::RecordJob.set(priority: 3).perform_later(1, :x, {"a" => [nil]}, flag: true)',
    ]);
    const small = await pushActiveJob(client, {
      jobClass: record,
      args: [1, sym("x"), { a: [null] }, kwargs({ flag: true })],
      priority: 3,
      timezone: "Europe/Berlin",
      rails,
    });
    const raws = await redis.lrange(`queue:${QUEUE}`, 0, -1);
    const byJid = (jid: string | null) => raws.find((raw) => Payload.parse(raw).item.jid === jid) as string;
    expect(normalized(byJid(small.jid))).toBe(normalized(byJid(rubySide?.jid as string)));

    // Every argument type, plus what only Node has: a Date, a BigInt, an integral Float.
    const { jid, jobId } = await pushActiveJob(client, {
      jobClass: record,
      args: [
        ...nodeArgs().map((arg) => (arg === "12.345" ? new RubyBigDecimal("12.345") : arg)),
        new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
        12345678901234567890n,
        new RubyFloat(2),
        kwargs({ kw1: "v", kw2: sym("s") }),
      ],
      locale: "de",
      timezone: "Europe/Berlin",
      rails,
    });
    const meant = await runRubyScript<{ inspect: string; classes: string[] }>(version, ENQUEUE, {
      inspect: `[${RUBY_ARGS.join(", ").replace('BigDecimal("12.345")', '"12.345"')}, Time.utc(2024, 1, 2, 3, 4, 5.006r), 12345678901234567890, 2.0]`,
    });

    server = startRubySidekiq(version, { requireFile: ACTIVE_JOBS, queues: [QUEUE] });
    const received = (await waitForReceived(redis, 3, { server })) as (ReceivedJob & {
      kwargs_inspect: string;
      job: Record<string, unknown>;
    })[];
    const full = received.find((r) => r.jid === jid);
    expect(full?.args_inspect).toBe(meant.inspect);
    expect(full?.arg_classes).toEqual(meant.classes);
    expect(full?.kwargs_inspect).toBe('{:kw1=>"v", :kw2=>:s}');
    expect(full).toMatchObject({ class: "KiqTest::RecordJob", queue: QUEUE });
    expect(full?.job).toMatchObject({
      job_id: jobId,
      executions: 1,
      priority: null,
      locale: "de",
      timezone: "Europe/Berlin",
    });
    expect(received.find((r) => r.jid === small.jid)?.kwargs_inspect).toBe("{:flag=>true}");
  });
});
