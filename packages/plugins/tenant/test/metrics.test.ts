// Per-tenant metrics from a worker: one onMetric call per job finished, failed or parked, labelled
// with its tenant, queue and class (what a prom-client counter or histogram takes).

import { defineJob, Kiq } from "@kiq/core";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { type JobMetric, tenant } from "../src/index.js";

afterAll(closeAll);

const job = (className: string, tenantJson: string, jid: string) =>
  `{"retry":false,"queue":"m","class":"${className}","args":[],"jid":"${jid}","created_at":1795378342.5${tenantJson}}`;

describe("onMetric", () => {
  it("reports done, failed and parked jobs with their tenant", async () => {
    const redis = await freshRedis();
    const metrics: JobMetric[] = [];
    const kiq = new Kiq({
      url: testRedisUrl(),
      queues: ["m"],
      concurrency: 1,
      logger: pino({ level: "silent" }),
      jobs: [
        defineJob("Ok", () => new Promise((resolve) => setTimeout(resolve, 20))),
        defineJob("Boom", () => Promise.reject(new Error("boom"))),
      ],
    }).use(tenant({ fairShare: { maxConcurrent: 1 }, onMetric: (metric) => void metrics.push(metric) }));
    // A slot of tenant 7 is taken elsewhere, so its job here is parked.
    await redis.zadd("kiq-tenant:running:7", Date.now() + 60_000, "held-elsewhere");
    await redis.lpush(
      "queue:m",
      job("Ok", ',"apartment":"acme"', "j1"),
      job("Boom", ',"cattr":{"tenant_id":42}', "j2"),
      job("Ok", ',"acts_as_tenant":{"class":"Account","id":7}', "j3"),
      job("Ok", "", "j4"),
    );
    await kiq.start();
    const deadline = Date.now() + 5000;
    while (metrics.length < 4 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await kiq.stop();
    const seen = metrics.map(({ tenant: id, outcome, queue, class: className }) => [
      id,
      outcome,
      queue,
      className,
    ]);
    expect(seen).toEqual([
      ["acme", "done", "m", "Ok"],
      [42, "failed", "m", "Boom"],
      [7, "parked", "m", "Ok"],
      [undefined, "done", "m", "Ok"],
    ]);
    expect(metrics[0]?.seconds).toBeGreaterThan(0.015);
    expect(metrics[2]?.seconds).toBe(0);
  });
});
