// A kiq heartbeat as real Ruby sees it, for Sidekiq 6, 7 and 8: Sidekiq::ProcessSet and WorkSet
// list the process and its running job, Process#quiet!/#stop! reach kiq through the signals list,
// and Sidekiq::Web (under puma) renders the process on /busy and its Quiet button reaches kiq.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Heartbeat } from "../packages/core/src/server/heartbeat.js";
import { ProcessStats } from "../packages/core/src/server/stats.js";
import type { Work } from "../packages/core/src/server/work.js";
import { KIQ_VERSION } from "../packages/core/src/version.js";
import type { SidekiqVersion } from "../packages/core/src/wire/types.js";
import { RUBY_SIDEKIQ } from "./support/ensure-deps.js";
import { freePort } from "./support/global-setup.js";
import { closeAll, freshRedis, testRedisUrl } from "./support/redis.js";

const VERSIONS = [6, 7, 8] as const;
const BEAT_MS = 200;
const PROCESS_SET = fileURLToPath(new URL("../fixtures/ruby/process_set.rb", import.meta.url));
const WEB_RU = fileURLToPath(new URL("../fixtures/ruby/web.ru", import.meta.url));
const JID = "0123456789abcdef01234567";
/** A running job's payload exactly as Ruby 7 pushes it. */
const PAYLOAD = `{"retry":true,"queue":"billing","class":"Billing::Charge","args":[42,"usd"],"jid":"${JID}","created_at":1795374793.8830137,"enqueued_at":1795374793.8830209}`;
const RUN_AT = 1795374794;

// biome-ignore lint/suspicious/noExplicitAny: the fixture's JSON answer
type RubyView = any;

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
});

// One Sidekiq::Web per version, booted together up front (puma takes a second or two).
const webs = new Map<SidekiqVersion, { child: ChildProcess; base: string }>();
beforeAll(async () => {
  await Promise.all(VERSIONS.map(async (v) => webs.set(v, await startWeb(v))));
}, 30_000);
afterAll(async () => {
  for (const { child } of webs.values()) child.kill("SIGTERM");
  await closeAll();
});

/** A heartbeat of a fake kiq process with one running job, and the signals it received. */
function kiqProcess(version: SidekiqVersion) {
  const hostname = `kiq-test-${version}`;
  const identity = `${hostname}:${process.pid}:0123456789ab`;
  const signals: string[] = [];
  let quiet = false;
  const running: Work[] = [{ tid: "t1", queue: "billing", payload: PAYLOAD, runAt: RUN_AT }];
  const heartbeat = new Heartbeat({
    redis,
    sidekiqVersion: version,
    identity,
    info: {
      hostname,
      startedAt: Date.now() / 1000,
      pid: process.pid,
      tag: "heartbeat-test",
      concurrency: 4,
      queues: ["billing", "default"],
      weights: { billing: 0, default: 0 },
      labels: ["node"],
      identity,
    },
    stats: new ProcessStats(),
    running: () => running,
    isQuiet: () => quiet,
    onSignal: (signal) => {
      signals.push(signal);
      if (signal === "TSTP") quiet = true;
    },
    logger: pino({ level: "silent" }),
    intervalMs: BEAT_MS,
  });
  return { heartbeat, identity, hostname, signals };
}

async function rubyView(version: SidekiqVersion, input: object = {}): Promise<RubyView> {
  return runRubyScript(version, PROCESS_SET, input);
}

describe.each(VERSIONS)("Sidekiq %i", (version) => {
  it("lists the kiq process and its job in ProcessSet and WorkSet", async () => {
    const kiq = kiqProcess(version);
    await kiq.heartbeat.start();
    try {
      const view = await rubyView(version);
      expect(view.processes).toHaveLength(1);
      const p = view.processes[0];
      expect(p).toMatchObject({
        identity: kiq.identity,
        hostname: kiq.hostname,
        pid: process.pid,
        tag: "heartbeat-test",
        labels: ["node", "kiq"],
        queues: ["billing", "default"],
        concurrency: 4,
        busy: 1,
        quiet: "false",
        stopping: false,
        started_at_class: "Float",
      });
      if (version === 6) expect(p.version).toBeNull();
      else
        expect(p).toMatchObject({
          version: `${version === 7 ? "7.3.10" : "8.1.7"}+kiq.${KIQ_VERSION}`,
          embedded: false,
        });
      if (version === 7) expect(p.weights).toEqual([{ billing: 0, default: 0 }]);
      if (version === 8) {
        expect(p.weights).toEqual({ billing: 0, default: 0 });
        expect(p.capsules).toEqual({
          default: { concurrency: 4, mode: "strict", weights: { billing: 0, default: 0 } },
        });
      }
      expect(view.work).toEqual([
        {
          process: kiq.identity,
          tid: "t1",
          queue: "billing",
          run_at: RUN_AT,
          jid: JID,
          class: "Billing::Charge",
          display_class: "Billing::Charge",
        },
      ]);
      expect(view.work_size).toBe(1);
    } finally {
      await kiq.heartbeat.stop();
    }
  });

  it("hands Process#quiet! and #stop! to onSignal within a beat, and writes quiet once quiet", async () => {
    const kiq = kiqProcess(version);
    await kiq.heartbeat.start();
    try {
      expect((await rubyView(version, { signal: "quiet", identity: kiq.identity })).signaled).toBe(
        kiq.identity,
      );
      await eventually(() => kiq.signals.includes("TSTP"), 2 * BEAT_MS + 500);
      await eventually(async () => (await rubyView(version)).processes[0]?.stopping === true);
      await rubyView(version, { signal: "stop", identity: kiq.identity });
      await eventually(() => kiq.signals.includes("TERM"), 2 * BEAT_MS + 500);
      expect(kiq.signals).toEqual(["TSTP", "TERM"]);
    } finally {
      await kiq.heartbeat.stop();
    }
  });

  it("is rendered by Sidekiq::Web's /busy, whose Quiet button reaches onSignal", async () => {
    const web = webs.get(version);
    if (!web) throw new Error("web not started");
    const kiq = kiqProcess(version);
    await kiq.heartbeat.start();
    try {
      const page = await fetch(`${web.base}/busy`);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain(`${kiq.hostname}:${process.pid}`);
      expect(html).toContain("Billing::Charge");
      expect(html).toMatch(/label-info">kiq</);
      expect(html).toContain(kiq.identity);

      const quiet = await fetch(`${web.base}/busy`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: sessionCookie(page),
          // 8.x checks the Fetch metadata a browser sends; 6.x/7.x check the token below.
          "sec-fetch-site": "same-origin",
        },
        body: new URLSearchParams({
          identity: kiq.identity,
          quiet: "1",
          authenticity_token: csrfToken(html),
        }),
      });
      expect(quiet.status).toBe(302);
      await eventually(() => kiq.signals.includes("TSTP"), 2 * BEAT_MS + 500);
      // The beat that pops TSTP still writes quiet=false (as Ruby's does); the next one writes true.
      await eventually(async () =>
        /label-danger">quiet</.test(await (await fetch(`${web.base}/busy`)).text()),
      );
    } finally {
      await kiq.heartbeat.stop();
    }
  });

  it("is gone from ProcessSet and WorkSet after clear()", async () => {
    const kiq = kiqProcess(version);
    await kiq.heartbeat.start();
    await kiq.heartbeat.clear();
    const view = await rubyView(version);
    expect(view.processes).toEqual([]);
    expect(view.process_set_size).toBe(0);
    expect(view.work).toEqual([]);
    expect(await redis.exists(`${kiq.identity}:work`, `${kiq.identity}:workers`)).toBe(0);
  });
});

async function startWeb(version: SidekiqVersion): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(
    RUBY_SIDEKIQ,
    [String(version), "/usr/bin/puma", "-b", `tcp://127.0.0.1:${port}`, WEB_RU],
    {
      env: { ...process.env, REDIS_URL: testRedisUrl() },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`puma (Sidekiq ${version}) exited: ${output}`);
      return (await fetch(`${base}/busy`).catch(() => undefined))?.ok;
    }, 20_000);
  } catch (err) {
    child.kill("SIGTERM");
    throw err;
  }
  return { child, base };
}

/** The session cookie (6.x/7.x keep the CSRF secret in it). */
function sessionCookie(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** The form's CSRF token (6.x/7.x; 8.x renders none). */
function csrfToken(html: string): string {
  return /name='authenticity_token' value='([^']*)'/.exec(html)?.[1] ?? "";
}

async function eventually<T>(check: () => Promise<T> | T, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Runs a fixture script under Sidekiq `version` with JSON on stdin and parses its JSON answer.
 * (Same shape as the harness' runRubyScript in test/support/ruby.ts; switch once that lands.)
 */
function runRubyScript(version: number, script: string, input: object): Promise<RubyView> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      RUBY_SIDEKIQ,
      [String(version), script],
      { env: { ...process.env, REDIS_URL: testRedisUrl() } },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${err.message}\n${stderr}`));
        resolve(JSON.parse(stdout));
      },
    );
    child.stdin?.end(JSON.stringify(input));
  });
}
