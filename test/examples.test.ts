// Each example's README command, `npm run example -- <name>`, as a fresh machine runs it after
// `npm ci` (`npm test` has built the packages): no REDIS_URL, so the runner starts its own
// redis-server; the Ruby side uses the machine's Ruby Sidekiq (Debian's 6.4.1).

import { describe, expect, it } from "vitest";
import { EXAMPLE_MS, runExample } from "./support/run-example.js";

describe("npm run example", { timeout: EXAMPLE_MS }, () => {
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

  it("multi-tenant: Ruby enqueues three tenants' messages; tenant on every line, SMS at its rate, duplicates skipped", async () => {
    const out = await runExample("multi-tenant");
    expect(out).toContain("Rails side (Ruby Sidekiq 6.4.1) enqueued 54 jobs for tenants 101, 102, 103");
    expect(out).toMatch(
      /tenant=102 {2}default {2}Receipts::SendEmail duplicate skipped {3}Receipt\/102-1@v1/,
    );
    expect(out).toContain('jobs_total{tenant="103",queue="low",class="Digests::SendEmail",outcome="done"} 2');
    expect(out).toContain("All 54 jobs ran: 51 messages sent, 3 duplicate record versions skipped.");
    const [, rate] = /SMS: 30 sent in [\d.]+ s = ([\d.]+)\/s \(limit 5\/s\)/.exec(out) ?? [];
    expect(Math.abs(Number(rate) - 5), out).toBeLessThan(0.5);
    const [, tagged, lines] = /(\d+) of (\d+) job log lines carry their tenant/.exec(out) ?? [];
    expect(Number(tagged)).toBe(Number(lines));
  });

  it("notifications: Ruby enqueues every notification twice, each channel sends it once", async () => {
    const out = await runExample("notifications");
    expect(out).toContain("Rails side (Ruby Sidekiq 6.4.1) enqueued 32 jobs");
    expect(out).toContain("All 32 jobs ran: 16 notifications sent, 16 duplicates skipped by dedup key.");
    expect(out).toContain("order-43/refund refund_issued: 92233720368547758.07 JPY (user 43)");
  });

  it("orphan-recovery: a SIGKILLed worker's jobs are recovered in seconds and each runs once", async () => {
    const out = await runExample("orphan-recovery");
    expect(out).toContain("killed with SIGKILL mid-job");
    expect(out).toContain("again meanwhile: refused (locked)");
    expect(out).toMatch(/recovered \d+\.\d s after the kill \(their lock_ttl: 3600 s\)/);
    expect(out).toContain("Generated: 1001 ×1, 1002 ×1, 1003 ×1, 1004 ×1. Unique locks left: 0.");
  });

  it("names the examples when the name is unknown", async () => {
    await expect(runExample("nope")).rejects.toThrow(
      /usage: npm run example -- <name> {3}\(one of: long-task, multi-tenant, notifications, orphan-recovery/,
    );
  });
});
