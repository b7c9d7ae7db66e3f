// Which testing mode is in force: the global one, unless scoped blocks are running, in which case
// the latest block's. Every change sets (or clears) the client's push interceptor, so "disable"
// leaves production's path exactly as it is.

import { type PushInterceptor, setPushInterceptor } from "../client/push-interceptor.js";
import { captureWrites } from "./fake-queue.js";
import { performWrites } from "./inline.js";

/** fake: pushes are captured; inline: pushes run their job at once; disable: pushes go to Redis. */
export type TestingMode = "fake" | "inline" | "disable";

const INTERCEPTORS: Record<TestingMode, PushInterceptor | undefined> = {
  fake: captureWrites,
  inline: performWrites,
  disable: undefined,
};

let globalMode: TestingMode = "disable";
/** Scoped blocks still running, in the order they started. */
const scopes: { mode: TestingMode }[] = [];

export function currentMode(): TestingMode {
  return scopes.at(-1)?.mode ?? globalMode;
}

/** Sets the global mode; inside a scoped block it takes effect when the block ends. */
export function setGlobalMode(mode: TestingMode): void {
  globalMode = mode;
  apply();
}

/**
 * Runs `block` in `mode`, then restores what was in force before, even when it throws. Blocks may
 * nest; overlapping ones (concurrent tests) each remove only their own entry.
 */
export async function withMode<T>(mode: TestingMode, block: () => T | Promise<T>): Promise<T> {
  const scope = { mode };
  scopes.push(scope);
  apply();
  try {
    return await block();
  } finally {
    scopes.splice(scopes.indexOf(scope), 1);
    apply();
  }
}

function apply(): void {
  setPushInterceptor(INTERCEPTORS[currentMode()]);
}
