// One slot through which @kiq/core/testing's fake and inline modes take pushed jobs instead of
// Redis. Empty in production, so a push pays one property read for it.

/** A job as the client would write it: its queue, its JSON, and its run-at time (epoch s) if scheduled. */
export interface PushWrite {
  queue: string;
  payload: string;
  at: number | undefined;
}

/** Receives a push's jobs after client middleware and serialization, in place of Redis. */
export type PushInterceptor = (writes: readonly PushWrite[]) => Promise<void>;

// On globalThis because the ESM and CJS builds (and dist/index and dist/testing) each bundle this
// module: a mode set through one copy must reach clients made from another.
const SLOT = Symbol.for("kiq.pushInterceptor");
const holder = globalThis as { [SLOT]?: PushInterceptor };

/** The interceptor in force, if a testing mode set one. */
export function currentPushInterceptor(): PushInterceptor | undefined {
  return holder[SLOT];
}

/** Sets (or, with undefined, clears) the interceptor every Client consults once per push. */
export function setPushInterceptor(interceptor: PushInterceptor | undefined): void {
  holder[SLOT] = interceptor;
}
