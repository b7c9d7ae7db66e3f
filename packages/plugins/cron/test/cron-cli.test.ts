import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CronStore } from "@kiq/cron";
import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";

// Child processes run the built dist (npm run build).
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const run = promisify(execFile);
const kiqCron = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, "--url", testRedisUrl(), ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

let redis: Redis;
beforeEach(async () => {
  redis = await freshRedis();
  await new CronStore(redis).save({
    name: "nightly",
    cron: "30 2 * * *",
    klass: "HardWorker",
    queue: "reports",
  });
});
afterAll(closeAll);

describe("kiq-cron list|enable|disable|enqueue|delete", () => {
  it("lists, disables, enables, enqueues now and deletes", async () => {
    expect((await kiqCron("list")).stdout).toMatch(
      /^nightly\tenabled\t30 2 \* \* \*\tHardWorker\treports\tlast: never\n$/,
    );
    expect((await kiqCron("disable", "nightly")).stdout).toBe("nightly disabled\n");
    expect((await new CronStore(redis).find("nightly"))?.status).toBe("disabled");
    expect((await kiqCron("enable", "nightly")).code).toBe(0);
    expect((await kiqCron("enqueue", "nightly")).stdout).toBe("nightly enqueued\n");
    expect(await redis.llen("queue:reports")).toBe(1);
    expect((await kiqCron("delete", "nightly")).code).toBe(0);
    expect(await redis.scard("cron_jobs")).toBe(0);
  });

  it("names a missing job and shows usage", async () => {
    expect(await kiqCron("enable", "nope")).toMatchObject({ code: 1, stderr: 'no cron job named "nope"\n' });
    expect((await kiqCron("frobnicate", "x")).code).toBe(2);
  });
});
