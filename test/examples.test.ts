// Each example's README command, `npm run example -- <name>`, as a fresh machine runs it after
// `npm ci` (`npm test` has built the packages): no REDIS_URL, so the runner starts its own
// redis-server; the Ruby side uses the machine's Ruby Sidekiq (Debian's 6.4.1).

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const RUNNER = fileURLToPath(new URL("../scripts/example.mjs", import.meta.url));
const COMMAND_MS = 60_000; // a build, a redis-server, and the example's own run

function runExample(name: string, env: Record<string, string> = {}): Promise<string> {
  const { REDIS_URL: _ignored, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    execFile(
      "node",
      [RUNNER, name],
      { env: { ...inherited, ...env }, timeout: COMMAND_MS },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`))
          : resolve(stdout),
    );
  });
}

describe("npm run example", { timeout: COMMAND_MS }, () => {
  it("long-task: runs never overlap and a busy tick is skipped (at a faster pace)", async () => {
    const out = await runExample("long-task", {
      LONG_TASK_EVERY: "1",
      LONG_TASK_SECONDS: "4", // twice the longest gap between 1-second ticks' enqueues (long-task's README)
      LONG_TASK_RUN_FOR: "7",
    });
    const [, runs, skipped] = /(\d+) runs finished, never two at once; (\d+) ticks/.exec(out) ?? [];
    expect(Number(runs), out).toBeGreaterThanOrEqual(1);
    expect(Number(skipped), out).toBeGreaterThanOrEqual(1);
    expect(out).toMatch(/rebuild finished {2}jid=[0-9a-f]{24} attempt=1 duration_ms=\d+/);
  });

  it("notifications: Ruby enqueues every notification twice, each channel sends it once", async () => {
    const out = await runExample("notifications");
    expect(out).toContain("Rails side (Ruby Sidekiq 6.4.1) enqueued 32 jobs");
    expect(out).toContain("All 32 jobs ran: 16 notifications sent, 16 duplicates skipped by dedup key.");
    expect(out).toContain("order-43/refund refund_issued: 92233720368547758.07 JPY (user 43)");
  });

  it("names the examples when the name is unknown", async () => {
    await expect(runExample("nope")).rejects.toThrow(
      /usage: npm run example -- <name> {3}\(one of: .*long-task, .*notifications/,
    );
  });
});
