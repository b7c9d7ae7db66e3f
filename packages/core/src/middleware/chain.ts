/** A middleware: do work around `next()`; not calling `next` stops the chain (and the push or run). */
export type Middleware<C> = (ctx: C, next: () => Promise<void>) => Promise<void> | void;

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
    let reached = false;
    const dispatch = async (i: number): Promise<void> => {
      const middleware = this.entries[i];
      if (middleware === undefined) {
        reached = true;
        await terminal(ctx);
        return;
      }
      let called = false;
      await middleware(ctx, () => {
        if (called) throw new Error("middleware called next() twice");
        called = true;
        return dispatch(i + 1);
      });
    };
    await dispatch(0);
    return reached;
  }
}
