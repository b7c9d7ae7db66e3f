import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSidekiqConfig } from "../src/cli/config-file.js";

function yml(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "kiq-yml-")), "sidekiq.yml");
  writeFileSync(path, text);
  return path;
}

describe("config/sidekiq.yml as Rails teams write it", () => {
  it("reads symbol keys, weighted queues in both forms, and the environment's section", () => {
    const path = yml(`---
:concurrency: 5
:timeout: 8
:queues:
  - [critical, 3]
  - default,2
  - low
:labels: [node]
production:
  :concurrency: 20
`);
    expect(loadSidekiqConfig(path, "development")).toEqual({
      concurrency: 5,
      timeout: 8,
      queues: [
        { name: "critical", weight: 3 },
        { name: "default", weight: 2 },
        { name: "low", weight: 0 },
      ],
      tag: undefined,
      labels: ["node"],
    });
    expect(loadSidekiqConfig(path, "production").concurrency).toBe(20);
  });

  it("reads kiq's reliable: key as a switch or a mapping of tracker options (snake_case made camelCase)", () => {
    expect(loadSidekiqConfig(yml(":reliable: true\n")).reliable).toBe(true);
    expect(loadSidekiqConfig(yml(":reliable:\n  :heartbeat_ttl: 20\n  prefetch: 5\n")).reliable).toEqual({
      heartbeatTtl: 20,
      prefetch: 5,
    });
    expect(() => loadSidekiqConfig(yml(":reliable: yes please\n"))).toThrow(
      "reliable must be true, false or a mapping of options",
    );
  });

  it("evaluates the ENV lookups Sidekiq's ERB pass sees in practice", () => {
    process.env.KIQ_TEST_THREADS = "12";
    delete process.env.KIQ_TEST_UNSET;
    const path = yml(`:concurrency: <%= ENV["KIQ_TEST_THREADS"] %>
:timeout: <%= ENV.fetch("KIQ_TEST_UNSET", 30) %>
:tag: <%= ENV["KIQ_TEST_UNSET"] || "billing" %>
`);
    expect(loadSidekiqConfig(path)).toMatchObject({ concurrency: 12, timeout: 30, tag: "billing" });
  });

  it("rejects what it cannot evaluate or read, saying which file", () => {
    expect(() => loadSidekiqConfig(yml(":concurrency: <%= 2 + 2 %>"))).toThrow(/only ENV lookups/);
    expect(() => loadSidekiqConfig(yml(":queues: [[critical, high]]"))).toThrow(/bad queue entry/);
    expect(() => loadSidekiqConfig("/nonexistent/sidekiq.yml")).toThrow(
      "No such file /nonexistent/sidekiq.yml",
    );
  });
});
