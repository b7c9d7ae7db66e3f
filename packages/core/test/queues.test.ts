import { describe, expect, it } from "vitest";
import { parseQueueArg, QueueList } from "../src/index.js";

describe("queue order, as Sidekiq fetches", () => {
  it("keeps strict order when no queue has a weight", () => {
    const queues = new QueueList(["critical", "default", "low"]);
    expect(queues.strict).toBe(true);
    for (let i = 0; i < 20; i++)
      expect(queues.fetchOrder()).toEqual(["queue:critical", "queue:default", "queue:low"]);
  });

  it("puts a weighted queue first in proportion to its weight, and starves none", () => {
    const queues = new QueueList(["critical,6", "default,3", "low,1"]);
    expect(queues.strict).toBe(false);
    const first: Record<string, number> = {};
    const runs = 20_000;
    for (let i = 0; i < runs; i++) {
      const order = queues.fetchOrder();
      expect(new Set(order).size).toBe(3);
      first[order[0] as string] = (first[order[0] as string] ?? 0) + 1;
    }
    expect((first["queue:critical"] ?? 0) / runs).toBeCloseTo(0.6, 1);
    expect((first["queue:default"] ?? 0) / runs).toBeCloseTo(0.3, 1);
    expect((first["queue:low"] ?? 0) / runs).toBeCloseTo(0.1, 1);
  });

  it("parses Sidekiq's -q NAME,WEIGHT and rejects nonsense", () => {
    expect(parseQueueArg("critical,3")).toEqual({ name: "critical", weight: 3 });
    expect(parseQueueArg("default")).toEqual({ name: "default", weight: 0 });
    expect(() => parseQueueArg("x,high")).toThrow(/NAME,WEIGHT/);
    expect(() => parseQueueArg(",2")).toThrow(/bad queue/);
    expect(() => new QueueList([])).toThrow(/at least one queue/);
  });
});
