// The multi-tenant example end to end: real Ruby Sidekiq (6.4.1, 7.3.10, 8.1.7) enqueues messages for
// three tenants with Current.tenant_id (rails/enqueue.rb), and the kiq worker sends them. Checked:
// every log line of a job carries its tenant, the metrics per tenant add up to its jobs, SMS went
// out within 10% of 5/s, the duplicate record versions were skipped, nothing lost or failed.

import path from "node:path";
import { DeadSet, type Kiq, Queue, RetrySet, ScheduledSet } from "@kiq/core";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { capturedLogger } from "../../test/support/captured-logger.js";
import { closeAll, freshRedis, testRedisUrl } from "../../test/support/redis.js";
import { runRubyScript, SIDEKIQ_VERSIONS } from "../../test/support/ruby.js";
import { fingerprint, QUEUES, sampleTraffic } from "./messages.js";
import { Counter } from "./metrics.js";
import { fakeProviders, type Sent, sentKey } from "./providers.js";
import { PROVIDER_LIMITS, tenantWorker } from "./worker.js";

const ENQUEUE_RB = path.join(import.meta.dirname, "rails", "enqueue.rb");
const TENANTS = [101, 102, 103];
// 30 SMS at 5/s: about 6 s of sending, long enough to measure the rate.
const traffic = sampleTraffic({ tenants: TENANTS, sms: 10, receipts: 4, digests: 2 });
const TOLERANCE = 0.1;

let kiq: Kiq | undefined;
afterEach(async () => {
  await kiq?.stop();
  kiq = undefined;
});
afterAll(closeAll);

describe.each(SIDEKIQ_VERSIONS)("multi-tenant, enqueued by Ruby Sidekiq %i", (version) => {
  it("tenant on every line and metric, SMS within its rate, duplicates skipped, nothing lost", async () => {
    const redis = await freshRedis();
    const log = capturedLogger();
    const jobs = new Counter("jobs_total");
    kiq = tenantWorker({ url: testRedisUrl(), redis, send: fakeProviders(redis), jobs, logger: log.logger });
    await kiq.start(); // the fleet is up, as it always is, when Rails enqueues
    const { jids, sidekiq } = await runRubyScript<{ jids: string[]; sidekiq: string }>(
      version,
      ENQUEUE_RB,
      traffic,
    );
    expect(sidekiq).toMatch(new RegExp(`^${version}\\.`));
    expect(jids).toHaveLength(traffic.length);
    const handled = () => log.lines.filter((l) => l.msg === "sent" || l.msg === "duplicate skipped").length;
    await vi.waitFor(() => expect(handled()).toBe(traffic.length), { timeout: 20_000, interval: 100 });
    await kiq.stop();

    // Every line of every job names the job's tenant, as Rails set it.
    const tenantOf = new Map(jids.map((jid, i) => [jid, traffic[i]?.tenant]));
    const jobLines = log.lines.filter((line) => line.jid !== undefined);
    expect(new Set(jobLines.map((line) => line.jid))).toEqual(new Set(jids));
    for (const line of jobLines)
      expect(line.tenant, JSON.stringify(line)).toBe(tenantOf.get(String(line.jid)));
    expect(log.withMsg("over its limit: rescheduled").length).toBeGreaterThan(0); // lines limits wrote, too

    // Metrics: per tenant and queue, one "done" per job; no other outcome.
    for (const tenant of TENANTS) {
      for (const [klass, queue] of Object.entries(QUEUES)) {
        const expected = traffic.filter((t) => t.tenant === tenant && t.class === klass).length;
        const series = jobs
          .entries()
          .filter(({ labels }) => labels.tenant === String(tenant) && labels.queue === queue);
        expect(series).toEqual([
          { labels: { tenant: String(tenant), queue, class: klass, outcome: "done" }, value: expected },
        ]);
      }
    }

    // SMS: each sent once, at 5/s (first to last send) within 10%.
    const sms = (await redis.lrange(sentKey("sms"), 0, -1)).map((entry) => JSON.parse(entry) as Sent);
    const expectedSms = traffic.filter((t) => t.class === "Alerts::SendSms");
    expect(sms.map((s) => s.fingerprint).sort()).toEqual(
      expectedSms.map((t) => fingerprint(t.message)).sort(),
    );
    const times = sms.map((s) => s.at).sort((a, b) => a - b);
    const rate = (times.length - 1) / (((times.at(-1) as number) - (times[0] as number)) / 1000);
    expect(Math.abs(rate - PROVIDER_LIMITS.sms.limit) / PROVIDER_LIMITS.sms.limit).toBeLessThan(TOLERANCE);

    // Email: each tenant's repeated receipt version skipped once, the new version sent.
    const email = (await redis.lrange(sentKey("email"), 0, -1)).map((entry) => JSON.parse(entry) as Sent);
    const distinct = new Set(
      traffic
        .filter((t) => t.class !== "Alerts::SendSms")
        .map((t) => `${t.tenant} ${fingerprint(t.message)}`),
    );
    expect(email.map((s) => `${s.tenant} ${s.fingerprint}`).sort()).toEqual([...distinct].sort());
    const skipped = log.withMsg("duplicate skipped");
    expect(skipped.map((line) => `${line.tenant} ${line.fingerprint}`).sort()).toEqual(
      TENANTS.map((tenant) => `${tenant} Receipt/${tenant}-1@v1`),
    );

    // Nothing left, failed or dead.
    for (const queue of Object.values(QUEUES)) expect(await new Queue({ redis }, queue).size()).toBe(0);
    expect(await new ScheduledSet({ redis }).size()).toBe(0);
    expect(await new RetrySet({ redis }).size()).toBe(0);
    expect(await new DeadSet({ redis }).size()).toBe(0);
    expect(log.withMsg("fail")).toEqual([]);
  });
});
