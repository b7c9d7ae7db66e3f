// Reading the tenant from the payloads real Ruby wrote (the recorded vectors) and writing each key in
// the shape its Ruby reader expects, per Sidekiq version.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, type JobItem, type JsonValue, parseJson } from "@kiq/core";
import { afterAll, describe, expect, it } from "vitest";
import { SHARED_DIR } from "../../../../test/support/paths.js";
import { closeAll, freshRedis } from "../../../../test/support/redis.js";
import { readTenant, tenant, withTenant } from "../src/index.js";

const vector = (name: string) => JSON.parse(readFileSync(join(SHARED_DIR, "spec", "vectors", name), "utf8"));
const job = (raw: string) => parseJson(raw) as JobItem;
const ACTIVE_JOB_WRAPPER = "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper";

afterAll(closeAll);

describe("reading", () => {
  it("reads cattr as Sidekiq 6.4.1, 7.3.10 and 8.1.7 wrote it", () => {
    const six = vector("cattr-6.4.1.json").payloads as string[];
    const { payloads } = vector("recorded/cattr-7.3.10-8.1.7.json");
    expect(readTenant(job(six[0] as string))).toBeUndefined(); // "cattr":{} when nothing was set
    expect(readTenant(job(six[1] as string))).toBe(42);
    expect(readTenant(job(payloads["7.3.10"]))).toBe(42);
    expect(readTenant(job(payloads["8.1.7"]))).toBe(42);
    expect(readTenant(job(payloads["8.1.7"]), { cattr: { attribute: "locale" } })).toBe("de");
  });

  it("reads the gems' keys in order, and the ActiveJob current_tenant GlobalID", () => {
    const base = { class: "X", args: [], jid: "j" };
    expect(readTenant({ ...base, acts_as_tenant: { class: "Account", id: 7 }, apartment: "acme" })).toBe(7);
    expect(readTenant({ ...base, multi_tenant: { class: "Account", id: "uuid-1" } })).toBe("uuid-1");
    expect(readTenant({ ...base, apartment: "acme", cattr: { tenant_id: 1 } })).toBe("acme");
    expect(readTenant({ ...base, apartment: "acme" }, { read: ["cattr"] })).toBeUndefined();
    const wrapped = {
      class: ACTIVE_JOB_WRAPPER,
      args: [{ job_class: "A", current_tenant: "gid://app/Account/9" }],
    };
    expect(readTenant({ ...wrapped, jid: "j" })).toBe("9");
    expect(readTenant({ ...base, cattr: [[{ _aj_globalid: "gid://app/Account/5" }, 1]] })).toBeUndefined();
    const record: JsonValue = [
      [
        { _aj_serialized: "ActiveJob::Serializers::SymbolSerializer", value: "tenant_id" },
        { _aj_globalid: "gid://app/Account/5" },
      ],
    ];
    expect(readTenant({ ...base, cattr: record })).toBe("5");
  });

  it("reads a second persisted class's key (cattr_1) when told to", () => {
    const item = { class: "X", args: [], jid: "j", cattr: { locale: "de" }, cattr_1: { account_id: 5 } };
    expect(readTenant(item)).toBeUndefined();
    expect(readTenant(item, { cattr: { key: "cattr_1", attribute: "account_id" } })).toBe(5);
  });

  it("names an unknown key at install time", () => {
    expect(() => tenant({ read: ["cattrs" as "cattr"] })).toThrow('unknown key "cattrs"');
    expect(() => tenant({ write: ["activejob"] })).toThrow("read-only");
    expect(() => withTenant({} as never, () => {})).toThrow("a tenant is a non-empty string or a number");
  });
});

describe("writing", () => {
  /** The job as stored after a push under tenant 42 through a client with the plugin. */
  const pushed = async (version: 6 | 7 | 8, item: Record<string, unknown> = {}, options = {}) => {
    const redis = await freshRedis();
    const client = new Client({ redis, sidekiqVersion: version }).use(tenant(options));
    await withTenant(42, () => client.push({ class: "X", args: [1], ...item }));
    return JSON.parse((await redis.lindex("queue:default", 0)) as string) as JobItem;
  };

  it("writes cattr in each version's shape, after created_at as Ruby's middleware does", async () => {
    expect((await pushed(6)).cattr).toEqual({ tenant_id: 42 });
    expect((await pushed(7)).cattr).toEqual({ tenant_id: 42 });
    const ruby8 = JSON.parse(vector("recorded/cattr-7.3.10-8.1.7.json").payloads["8.1.7"]).cattr;
    expect((await pushed(8)).cattr).toEqual([ruby8[0]]); // Ruby's tenant_id pair, byte for byte the same shape
    expect(Object.keys(await pushed(7)).slice(-3)).toEqual(["created_at", "cattr", "enqueued_at"]);
  });

  it("merges into an existing cattr on 6.4, keeps an existing one on 7 and 8", async () => {
    expect((await pushed(6, { cattr: { locale: "de", tenant_id: 1 } })).cattr).toEqual({
      locale: "de",
      tenant_id: 42,
    });
    expect((await pushed(7, { cattr: { tenant_id: 1 } })).cattr).toEqual({ tenant_id: 1 });
    expect((await pushed(8, { cattr: [] })).cattr).toEqual([]);
  });

  it("writes acts_as_tenant, multi_tenant and apartment when asked, never over a value", async () => {
    const options = { write: ["acts_as_tenant", "multi_tenant", "apartment"], tenantClass: "Org" };
    const item = await pushed(7, {}, options);
    expect(item).toMatchObject({
      acts_as_tenant: { class: "Org", id: 42 },
      multi_tenant: { class: "Org", id: 42 },
      apartment: "42",
    });
    expect(item.cattr).toBeUndefined();
    expect((await pushed(7, { apartment: "public" }, options)).apartment).toBe("public");
  });

  it("gives each concurrent push the tenant of its own async context", async () => {
    const redis = await freshRedis();
    const client = new Client({ redis, sidekiqVersion: 7 }).use(tenant());
    const pushAs = (id: number) =>
      withTenant(id, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5 * (4 - id)));
        return client.push({ class: "X", args: [id] });
      });
    await Promise.all([1, 2, 3].map(pushAs));
    const stored = (await redis.lrange("queue:default", 0, -1)).map((raw) => JSON.parse(raw));
    expect(stored.map((job) => [job.args[0], job.cattr.tenant_id]).sort()).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it("writes nothing when no tenant is current", async () => {
    const redis = await freshRedis();
    await new Client({ redis, sidekiqVersion: 7 }).use(tenant()).push({ class: "X", args: [] });
    expect(JSON.parse((await redis.lindex("queue:default", 0)) as string).cattr).toBeUndefined();
  });
});
