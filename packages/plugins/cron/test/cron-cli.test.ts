import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CronStore } from "@kiq/cron";
import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";

// Child processes run the built dist (npm run build): kiq-cron, and core's kiq handing `kiq cron` over.
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const KIQ = fileURLToPath(new URL("../../../core/dist/cli.js", import.meta.url));
const run = promisify(execFile);
const kiqCron = (...args: string[]) => runCli([CLI, "--url", testRedisUrl(), ...args]);
const runCli = async (args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, args);
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

  it("is also `kiq cron …` of @kiq/core's kiq command", async () => {
    const { code, stdout } = await runCli([KIQ, "cron", "list", "--redis", testRedisUrl()]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^nightly\tenabled\t/);
    expect((await runCli([KIQ, "cron", "frobnicate", "x"])).code).toBe(2);
  });

  it("with --layout 2.x: migrates the 1.x jobs, lists namespaces, acts in --namespace", async () => {
    const migrated = await kiqCron("--layout", "2.x", "migrate");
    expect(migrated.stdout).toBe("moved 1 job(s) into namespace default: nightly\n");
    await new CronStore(redis, { layout: "2.x", namespace: "billing" }).save({
      name: "invoices",
      cron: "0 3 * * *",
      klass: "InvoiceRun",
    });
    expect((await kiqCron("--layout", "2.x", "list")).stdout).toMatch(
      /^billing\tinvoices\tenabled\t.*\ndefault\tnightly\tenabled\t/,
    );
    expect(await kiqCron("--layout", "2.x", "disable", "invoices")).toMatchObject({ code: 1 });
    expect((await kiqCron("--layout", "2.x", "--namespace", "billing", "disable", "invoices")).code).toBe(0);
    expect(await redis.hget("cron_job:billing:invoices", "status")).toBe("disabled");
    expect((await kiqCron("--layout", "3.x", "list")).stderr).toMatch(/layout must be "1.x" or "2.x"/);
  });

  it("names a missing job and shows usage", async () => {
    expect(await kiqCron("enable", "nope")).toMatchObject({ code: 1, stderr: 'no cron job named "nope"\n' });
    expect((await kiqCron("frobnicate", "x")).code).toBe(2);
  });
});
