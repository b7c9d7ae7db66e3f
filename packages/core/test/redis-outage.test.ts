// Redis going away mid-job: the outcome is written when Redis is back, nothing is lost, and a
// worker whose Redis never returns still shuts down.

import { Redis } from "ioredis";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { defineJob, generateJid, Kiq } from "../src/index.js";
import { eventually } from "./worker-helpers.js";

let server: RedisServer | undefined;
let kiq: Kiq | undefined;
let probe: Redis | undefined;
afterEach(async () => {
  probe?.disconnect();
  await kiq?.stop();
  await server?.stop();
  kiq = server = probe = undefined;
});

const payload = (className: string) =>
  `{"retry":true,"queue":"default","class":"${className}","args":[1.0],"jid":"${generateJid()}","created_at":1795378342.5}`;

function startKiq(port: number, jobs: ReturnType<typeof defineJob>[]): Promise<void> {
  kiq = new Kiq({
    url: `redis://127.0.0.1:${port}`,
    jobs,
    timeout: 1,
    heartbeatInterval: 200,
    logger: pino({ level: "silent" }),
  });
  return kiq.start();
}

describe("Redis going away", () => {
  it("writes a failure that happened while Redis was down once it is back, and keeps fetching", async () => {
    server = await startRedisServer();
    const port = server.port;
    let started = false;
    const failing = defineJob("Failing", async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 400));
      throw new Error("failed during the outage");
    });
    let after = 0;
    await startKiq(port, [failing, defineJob("After", () => void after++)]);
    probe = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: null });
    probe.on("error", () => {}); // it reconnects by itself after the restart
    await probe.lpush("queue:default", payload("Failing"));
    await eventually(() => started);
    await server.stop(); // the job fails while Redis is down
    await new Promise((resolve) => setTimeout(resolve, 600));
    server = await startRedisServer(port); // an empty Redis: no persistence
    const retry = await eventually(async () => (await probe?.zrange("retry", 0, -1))?.[0], 15_000);
    expect(JSON.parse(retry)).toMatchObject({
      class: "Failing",
      error_message: "failed during the outage",
      retry_count: 0,
    });
    expect(retry).toContain('"args":[1.0]');
    await probe.lpush("queue:default", payload("After"));
    await eventually(() => after === 1, 10_000);
    expect(kiq?.health().fetchError).toBeUndefined();
  });

  it("reports failing fetches in health() and still stops when Redis never returns", async () => {
    server = await startRedisServer();
    await startKiq(server.port, []);
    await server.stop();
    server = undefined;
    await eventually(() => kiq?.health().fetchError !== undefined, 10_000);
    const stopping = Date.now();
    await kiq?.stop();
    kiq = undefined;
    expect(Date.now() - stopping).toBeLessThan(15_000);
  }, 30_000);
});
