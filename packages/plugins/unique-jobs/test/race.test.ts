// Separate Node processes racing: several clients pushing the same unique job at the same moment
// queue it once per lock type that locks on the client; several workers running while_executing
// duplicates at once let exactly one run (the others' wait for D:RUN runs out). Runs the built
// packages (`npm run build`).

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../../../test/support/redis.js";
import { LOCK_TYPES, locksOnClient } from "../src/lock-type.js";
import { eventually } from "./support/workers.js";

const CHILD = fileURLToPath(new URL("./support/race-child.mjs", import.meta.url));
const PUSHERS = 4;
const COPIES_PER_PUSHER = 3;
const WORKERS = 3;
const DUPLICATES = 6;
/** Longer than the gem's 1-second wait, so no duplicate gets D:RUN after the first run ends. */
const RUN_MS = 2000;
/** Generous: Node processes start slowly on a busy machine; the race begins only once all are up. */
const STARTUP_MS = 30_000;
const children: ChildProcess[] = [];

function child(args: string[]): { process: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const proc = spawn("node", [CHILD, ...args], {
    env: { ...process.env, REDIS_URL: testRedisUrl() },
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(proc);
  const lines: string[] = [];
  proc.stdout?.on("data", (data) => lines.push(...String(data).split("\n").filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
  return { process: proc, lines, exited };
}

afterEach(async () => {
  for (const proc of children.splice(0)) if (proc.exitCode === null) proc.kill("SIGKILL");
});
afterAll(closeAll);

describe("processes racing", () => {
  it(`${PUSHERS} processes pushing ${COPIES_PER_PUSHER} copies each at once: one job queued per client-locking type`, async () => {
    const redis = await freshRedis();
    const types = LOCK_TYPES.filter(locksOnClient);
    const pushes = types.flatMap((lock) =>
      Array.from({ length: COPIES_PER_PUSHER }, () => ({
        class: `Race_${lock}`,
        queue: "race",
        args: [1],
        lock,
      })),
    );
    const pushers = Array.from({ length: PUSHERS }, () => child(["push", JSON.stringify(pushes)]));
    // Every child is connected with the plugin installed; then all push at one signal.
    await eventually(() => pushers.every((p) => p.lines.includes("ready")), STARTUP_MS);
    for (const p of pushers) p.process.stdin?.end("go\n");
    expect(await Promise.all(pushers.map((p) => p.exited))).toEqual(pushers.map(() => 0));
    const results = pushers.map((p) => JSON.parse(String(p.lines.at(-1))) as { jids: (string | null)[] });
    const queued = (await redis.lrange("queue:race", 0, -1)).map((job) => JSON.parse(job));
    for (const lock of types) {
      const ofType = queued.filter((job) => job.lock === lock);
      expect(ofType, lock).toHaveLength(1);
      const winners = results.flatMap(({ jids }) =>
        jids.filter((jid, i) => jid !== null && pushes[i]?.lock === lock),
      );
      expect(winners, lock).toEqual([ofType[0].jid]);
      expect(await redis.hkeys(`${ofType[0].lock_digest}:LOCKED`)).toEqual([ofType[0].jid]);
    }
  });

  it(`${WORKERS} worker processes given ${DUPLICATES} while_executing duplicates at once run exactly one`, async () => {
    const redis = await freshRedis();
    const workers = Array.from({ length: WORKERS }, () =>
      child(["work", JSON.stringify({ queue: "we", runMs: RUN_MS })]),
    );
    await eventually(() => workers.every((w) => w.lines.includes("ready")), STARTUP_MS);
    const job = JSON.stringify({
      class: "RaceWE",
      queue: "we",
      args: [1],
      lock: "while_executing",
      lock_timeout: 0,
    });
    await redis.lpush(
      "queue:we",
      ...Array.from({ length: DUPLICATES }, (_, i) =>
        job.replace("}", `,"jid":"${String(i).padStart(24, "0")}"}`),
      ),
    );
    await eventually(async () => (await redis.llen("queue:we")) === 0);
    await eventually(async () => (await redis.get("race:running")) === "0", RUN_MS + 5000);
    for (const w of workers) w.process.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    expect(await redis.get("race:runs")).toBe("1");
    expect(await redis.lrange("race:concurrency", 0, -1)).toEqual(["1"]);
    expect(await redis.keys("uniquejobs:*:LOCKED")).toEqual([]);
  });
});
