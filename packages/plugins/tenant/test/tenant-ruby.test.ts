// Tenants between real Ruby Sidekiq 6.4.1, 7.3.10, 8.1.7 and a Node worker: Ruby pushes jobs for
// several tenants (CurrentAttributes' cattr, the acts_as_tenant and apartment keys); the Node
// handler sees each tenant, every log line of each job carries it; the jobs the handler pushes
// carry it back, and Ruby's CurrentAttributes server middleware restores Current.tenant_id.

import { defineJob, type JobContext, Kiq } from "@kiq/core";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { rubyFixture } from "../../../../test/support/paths.js";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { runRubyScript, SIDEKIQ_VERSIONS, startRubySidekiq } from "../../../../test/support/ruby.js";
import { eventually } from "../../../core/test/worker-helpers.js";
import { currentTenant, tenant } from "../src/index.js";

const RECORDED_KEY = "kiq-test:tenants";
const EVENTUALLY_MS = 20_000;

afterAll(closeAll);

describe.each(SIDEKIQ_VERSIONS)("Sidekiq %i", (version) => {
  it("Ruby's tenants reach Node's handler and logs, and go back to Ruby's Current", async () => {
    const redis = await freshRedis();
    const ruby = startRubySidekiq(version, { requireFile: rubyFixture("tenant.rb"), queues: ["ruby-t"] });
    const lines: Record<string, unknown>[] = [];
    const seen = new Map<string, unknown>();
    const kiq = new Kiq({
      url: testRedisUrl(),
      queues: ["t"],
      sidekiqVersion: version,
      logger: pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
      jobs: [
        defineJob("TenantJob", async function (this: JobContext) {
          this.logger.info("working");
          seen.set(this.jid, currentTenant());
          await kiq.client.push({ class: "TenantRecorder", queue: "ruby-t", args: [this.jid] });
        }),
      ],
    }).use(tenant({ write: ["cattr", "acts_as_tenant", "apartment"] }));
    try {
      await kiq.start();
      const pushes = [
        { via: "cattr", tenant: 42 },
        { via: "acts_as_tenant", tenant: 7 },
        { via: "apartment", tenant: "acme" },
        { via: "cattr", tenant: 43 },
      ];
      const { jids } = await runRubyScript<{ jids: string[] }>(version, rubyFixture("tenant.rb"), {
        push: pushes.map((push, i) => ({ ...push, class: "TenantJob", queue: "t", args: [i] })),
      });
      await eventually(async () => (await redis.llen(RECORDED_KEY)) === pushes.length, EVENTUALLY_MS);
      ruby.assertAlive();

      const expected = new Map(jids.map((jid, i) => [jid, pushes[i]?.tenant]));
      expect(seen).toEqual(expected);
      for (const [jid, id] of expected) {
        const about = lines.filter((line) => line.jid === jid);
        expect(about.map((line) => line.msg)).toEqual(["working", "done"]);
        expect(about.map((line) => line.tenant)).toEqual([id, id]);
      }

      const recorded = (await redis.lrange(RECORDED_KEY, 0, -1)).map((entry) => JSON.parse(entry));
      expect(recorded.map((entry) => entry.tenant_id).sort()).toEqual([42, 43, 7, "acme"].sort());
      const fromAccount = recorded.find((entry) => entry.tenant_id === 7);
      expect(fromAccount).toMatchObject({ acts_as_tenant: { class: "Account", id: 7 }, apartment: "7" });
    } finally {
      await kiq.stop();
      await ruby.stop();
    }
  });
});
