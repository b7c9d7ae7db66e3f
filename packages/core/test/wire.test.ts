import { describe, expect, it } from "vitest";
import {
  decodeBacktrace,
  decodeTimestamp,
  encodeBacktrace,
  encodeTimestamp,
  generateJid,
  generateJson,
  isJid,
  jobItemProblem,
  RubyFloat,
} from "../src/index.js";
import { vector } from "./vectors.js";

describe("timestamps per Sidekiq version", () => {
  const at = 1795378342333.25;

  it("writes Float seconds for 6 and 7, always with a fraction", () => {
    expect(generateJson(encodeTimestamp(6, at))).toBe("1795378342.33325");
    expect(generateJson(encodeTimestamp(7, 1795378342000))).toBe("1795378342.0");
    expect(encodeTimestamp(7, at)).toBeInstanceOf(RubyFloat);
  });

  it("writes Integer milliseconds for 8", () => {
    expect(generateJson(encodeTimestamp(8, at))).toBe("1795378342333");
  });

  it("reads either unit by magnitude", () => {
    expect(decodeTimestamp(1795378342.333)).toBeCloseTo(1795378342333, 3);
    expect(decodeTimestamp(1795374793891)).toBe(1795374793891);
    expect(decodeTimestamp(1795374793891n)).toBe(1795374793891);
  });
});

// Node's bundled zlib compresses differently from Ruby's system zlib, so the Base64 text differs
// from Ruby's while inflating to the same frames; Ruby reading kiq's backtraces is a test in test/.
describe("error_backtrace", () => {
  const frames = ["app/jobs/charge.ts:7:in `perform'", "node:internal/process:1:in `run'", 'ü "quoted"'];

  it("decodes the MIME Base64 that Sidekiq 6.4.1 wrote", () => {
    const entry = vector("wire-6.4.1/retry-job.json").entries[0];
    expect(decodeBacktrace(entry.parsed.error_backtrace)).toEqual(entry.error_backtrace_decoded);
  });

  it.each(["7.3.10", "8.1.7"])("decodes the strict Base64 that %s wrote", (version) => {
    const stored: string = JSON.parse(
      vector(`recorded/sidekiq-${version}.json`).retry_set[0][0],
    ).error_backtrace;
    expect(stored).not.toContain("\n");
    expect(decodeBacktrace(stored)).toEqual([
      "app/workers/vec_workers.rb:7:in `perform'",
      expect.stringContaining(`gems/sidekiq-${version}/lib/sidekiq/processor.rb`),
      expect.stringContaining(`gems/sidekiq-${version}/lib/sidekiq/processor.rb`),
    ]);
  });

  it("writes MIME Base64 for 6 (60-character lines, trailing newline) and strict for 7 and 8", () => {
    const mime = encodeBacktrace(frames, 6);
    const lines = mime.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.slice(0, -1).every((line) => line.length === 60)).toBe(true);
    expect(decodeBacktrace(mime)).toEqual(frames);
    for (const version of [7, 8] as const) {
      const strict = encodeBacktrace(frames, version);
      expect(strict).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(decodeBacktrace(strict)).toEqual(frames);
    }
  });

  it("reads the raw array form 6.x also accepted", () => {
    expect(decodeBacktrace(["a:1", "b:2"])).toEqual(["a:1", "b:2"]);
  });
});

describe("jid", () => {
  it("is 24 lowercase hex characters and unique", () => {
    const jids = new Set(Array.from({ length: 10_000 }, generateJid));
    expect(jids.size).toBe(10_000);
    for (const jid of jids) expect(isJid(jid)).toBe(true);
  });
});

describe("job hash schema", () => {
  it("accepts every recorded Ruby payload", () => {
    for (const version of ["6.4.1", "7.3.10", "8.1.7"]) {
      const data = vector(`recorded/sidekiq-${version}.json`);
      expect(jobItemProblem(JSON.parse(data.plain_job))).toBeUndefined();
      expect(jobItemProblem(JSON.parse(data.retry_set[0][0]))).toBeUndefined();
    }
  });

  it.each([
    [{ args: [] }, /class/],
    [{ class: "A" }, /args/],
    [{ class: "A", args: {} }, /"args" must be array/],
    [{ class: "", args: [] }, /"class"/],
    [{ class: "A", args: [], retry: "yes" }, /"retry"/],
    [{ class: "A", args: [], retry_count: -1 }, /"retry_count"/],
  ])("names the problem with %j", (item, problem) => {
    expect(jobItemProblem(item)).toMatch(problem);
  });
});
