// The orphan-recovery example, run as `npm run example -- orphan-recovery` against the test run's
// Redis: a worker SIGKILLed mid-job, its jobs recovered by the second worker within seconds (not
// after their 1-hour lock_ttl), every invoice generated exactly once, no lock or job left behind.

import { afterAll, describe, expect, it } from "vitest";
import { closeAll, freshRedis, testRedisUrl } from "../../test/support/redis.js";
import { EXAMPLE_MS, runExample } from "../../test/support/run-example.js";
import { GENERATED, KILLED, type Run, STARTED, TRACKER, UNIQUE } from "./invoices.js";

const INVOICES = [1001, 1002, 1003, 1004];
/** The dead worker's liveness key lapses after heartbeatTtl; then one recovery pass and a fetch. */
const RECOVERY_BOUND_S = TRACKER.heartbeatTtl + TRACKER.recoveryInterval + 2;

afterAll(closeAll);

describe("orphan-recovery", { timeout: EXAMPLE_MS }, () => {
  it("recovers a killed worker's jobs at once; each invoice is generated exactly once", async () => {
    const redis = await freshRedis();
    const out = await runExample("orphan-recovery", { REDIS_URL: testRedisUrl() });
    const runs = async (list: string) => (await redis.lrange(list, 0, -1)).map((r) => JSON.parse(r) as Run);
    const killedAt = Number(await redis.get(KILLED));
    const started = await runs(STARTED);
    const generated = await runs(GENERATED);

    // Each invoice generated once: two by worker 1 before the kill, the two it was running by worker 2.
    expect(generated.map((run) => run.invoice).sort(), out).toEqual(INVOICES);
    const before = generated.filter((run) => run.at < killedAt);
    const after = generated.filter((run) => run.at > killedAt);
    expect(before).toHaveLength(2);
    expect(after).toHaveLength(2);
    const [dead, rescuer] = [before[0]?.pid, after[0]?.pid];
    expect(before.every((run) => run.pid === dead) && after.every((run) => run.pid === rescuer)).toBe(true);
    expect(rescuer).not.toBe(dead);

    // The orphans started twice (killed, then recovered, same jid); the finished ones were not repeated.
    const orphans = after.map((run) => run.invoice).sort();
    const startsOf = (invoice: number) => started.filter((run) => run.invoice === invoice);
    for (const invoice of orphans) {
      const [killed, recovered] = startsOf(invoice);
      expect(startsOf(invoice)).toHaveLength(2);
      expect(killed).toMatchObject({ pid: dead, jid: recovered?.jid });
      expect(recovered?.pid).toBe(rescuer);
      expect(killed?.at).toBeLessThan(killedAt);
      // At once: within seconds of the liveness key lapsing, far from the lock's 1 hour.
      expect(((recovered?.at as number) - killedAt) / 1000).toBeLessThan(RECOVERY_BOUND_S);
    }
    for (const invoice of INVOICES.filter((i) => !orphans.includes(i)))
      expect(startsOf(invoice)).toHaveLength(1);

    // No lock, working list or job left.
    expect(await redis.keys("uniquejobs:*:LOCKED")).toEqual([]);
    expect(await redis.zcard("uniquejobs:digests")).toBe(0);
    expect(await redis.keys("working:*")).toEqual([]);
    expect(await redis.llen("queue:invoices")).toBe(0);
    expect(await redis.zcard("retry")).toBe(0);
    expect(await redis.zcard("dead")).toBe(0);
    // Meanwhile the orphans' locks were held with most of their hour left, and kept duplicates out.
    const [, held, ttl] = /(\d+) invoices' locks still held, expiring in (\d+) s/.exec(out) ?? [];
    expect(Number(held), out).toBe(2);
    expect(Number(ttl)).toBeGreaterThan(UNIQUE.lock_ttl - 60);
    expect(out).toContain("again meanwhile: refused (locked)");
  });
});
