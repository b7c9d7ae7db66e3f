import { fileURLToPath } from "node:url";
import { heartbeatKey, parseWorkingList } from "@kiq/tracker";
import { afterAll, describe, expect, it } from "vitest";
import { kiq, kiqWorker } from "../../../../test/support/cli.js";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { until } from "./support.js";

const JOBS = fileURLToPath(new URL("./fixtures/jobs.mjs", import.meta.url));
const CONFIG = fileURLToPath(new URL("./fixtures/reliable.yml", import.meta.url));

afterAll(closeAll);

describe("kiq worker --reliable", () => {
  it("loses nothing when a worker is killed with SIGKILL mid-job: another worker runs the jobs again", async () => {
    const redis = await freshRedis();
    const jids: string[] = [];
    for (let i = 0; i < 3; i++) jids.push((await kiq(["enqueue", "Crashy", "[]"])).stdout.trim());
    const doomed = kiqWorker(["--reliable", "-r", JOBS, "-C", CONFIG]);
    await until(async () => (await redis.llen("tracker-test:started")) === 3, 15_000);
    const [working] = await redis.keys("working:queue:default:*");
    const owner = parseWorkingList(working as string)?.identity as string;
    expect(await redis.llen(working as string)).toBe(3);
    expect(await redis.exists(heartbeatKey(owner))).toBe(1);
    doomed.child.kill("SIGKILL");
    await doomed.exited;

    const rescuer = kiqWorker(["--reliable", "-r", JOBS, "-C", CONFIG]);
    try {
      await until(async () => (await redis.llen("tracker-test:done")) === 3, 20_000);
    } finally {
      rescuer.child.kill("SIGTERM");
      expect(await rescuer.exited).toBe(0);
    }
    const starts = (await redis.lrange("tracker-test:started", 0, -1)).map((s) => JSON.parse(s));
    expect(
      starts
        .filter((s) => s.count === 0)
        .map((s) => s.jid)
        .sort(),
    ).toEqual([...jids].sort());
    expect(
      starts
        .filter((s) => s.count === 1)
        .map((s) => s.jid)
        .sort(),
    ).toEqual([...jids].sort());
    expect((await redis.lrange("tracker-test:done", 0, -1)).sort()).toEqual([...jids].sort());
    expect(await redis.keys("working:*")).toEqual([]);
    expect(await redis.llen("queue:default")).toBe(0);
    expect(await redis.zcard("dead")).toBe(0);
  });

  it("rejects a tracker option it does not know, naming it", async () => {
    await freshRedis();
    const bad = fileURLToPath(new URL("./fixtures/bad-option.yml", import.meta.url));
    expect(await kiq(["worker", "--reliable", "-r", JOBS, "-C", bad])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('unknown tracker option "heartbeatTtls"'),
    });
  });
});
