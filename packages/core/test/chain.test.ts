// The middleware chain: order, stopping, and what next() tells an outer middleware.

import { describe, expect, it } from "vitest";
import { Chain } from "../src/index.js";

describe("a middleware chain", () => {
  it("runs outermost first; next() resolves true once the terminal ran", async () => {
    const seen: string[] = [];
    const chain = new Chain<string[]>()
      .use(async (ctx, next) => {
        ctx.push("outer in");
        ctx.push(`outer saw ${await next()}`);
      })
      .use(async (ctx, next) => {
        ctx.push("inner");
        await next();
      });
    expect(await chain.run(seen, (ctx) => void ctx.push("terminal"))).toBe(true);
    expect(seen).toEqual(["outer in", "inner", "terminal", "outer saw true"]);
  });

  it("tells an outer middleware that a later one stopped the run", async () => {
    const seen: string[] = [];
    const chain = new Chain<string[]>()
      .use(async (ctx, next) => {
        ctx.push(`outer saw ${await next()}`);
      })
      .use(() => {}); // a limit or a lock: does not call next
    expect(await chain.run(seen, (ctx) => void ctx.push("terminal"))).toBe(false);
    expect(seen).toEqual(["outer saw false"]);
  });

  it("refuses next() called twice", async () => {
    const chain = new Chain<null>().use(async (_ctx, next) => {
      await next();
      await next();
    });
    await expect(chain.run(null, () => {})).rejects.toThrow("middleware called next() twice");
  });
});
