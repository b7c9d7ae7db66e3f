/**
 * A middleware: do work around `next()`; not calling `next` stops the chain (and the push or run).
 * `next()` resolves true when the push or run happened, false when a later middleware stopped it;
 * what the middleware returns is awaited and ignored.
 */
export type Middleware<C> = (ctx: C, next: () => Promise<boolean>) => unknown;

/** An ordered middleware chain, like Sidekiq's: the first added is the outermost. */
export class Chain<C> {
  private readonly entries: Middleware<C>[] = [];

  use(...middleware: Middleware<C>[]): this {
    this.entries.push(...middleware);
    return this;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Runs the chain around `terminal`; resolves true when `terminal` ran, false when a middleware stopped it. */
  async run(ctx: C, terminal: (ctx: C) => Promise<void> | void): Promise<boolean> {
    const dispatch = async (i: number): Promise<boolean> => {
      const middleware = this.entries[i];
      if (middleware === undefined) {
        await terminal(ctx);
        return true;
      }
      let called = false;
      let reached = false;
      await middleware(ctx, async () => {
        if (called) throw new Error("middleware called next() twice");
        called = true;
        reached = await dispatch(i + 1);
        return reached;
      });
      return reached;
    };
    return dispatch(0);
  }
}
