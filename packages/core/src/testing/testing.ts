// Testing: Sidekiq::Testing for kiq. Switch every Client's pushes to fake (captured in memory) or
// inline (run at once), globally or for one block; inspect, clear and drain captured jobs.

import type { Logger } from "pino";
import { Chain } from "../middleware/chain.js";
import type { ServerContext } from "../server/processor.js";
import type { CapturedJob } from "./captured-job.js";
import { drainEvery, drainKnown } from "./drain.js";
import { type ClassRef, fakeQueue } from "./fake-queue.js";
import { Handlers, type JobSource, registeredJobs } from "./handlers.js";
import { currentMode, setGlobalMode, type TestingMode, withMode } from "./mode.js";
import { performSettings } from "./perform.js";

/** Without a block: sets the global mode. With one: runs it in that mode, then restores the previous. */
export interface ModeSwitch {
  (): void;
  <T>(block: () => T | Promise<T>): Promise<T>;
}

function modeSwitch(mode: TestingMode): ModeSwitch {
  return (<T>(block?: () => T | Promise<T>) =>
    block === undefined ? setGlobalMode(mode) : withMode(mode, block)) as ModeSwitch;
}

export const Testing = {
  /** Pushes are captured in memory (see `jobs`, `jobsFor`, `drain`); nothing reaches Redis. */
  fake: modeSwitch("fake"),
  /** Pushes run their job at once through the registered handler; its error rejects the push. */
  inline: modeSwitch("inline"),
  /** Pushes go to Redis, as in production (the mode until one of the others is chosen). */
  disable: modeSwitch("disable"),

  /** The mode in force now. */
  get mode(): TestingMode {
    return currentMode();
  },

  /** Makes jobs runnable by inline mode and drainAll(): definitions, Job classes, a Kiq or a JobRegistry. */
  register(...jobs: JobSource[]): void {
    registeredJobs.add(...jobs);
  },

  /** Every captured job, oldest first. */
  get jobs(): CapturedJob[] {
    return fakeQueue.all();
  },

  /** The captured jobs of one class (by name, definition or Job class), oldest first. */
  jobsFor(job: ClassRef): CapturedJob[] {
    return fakeQueue.forClass(job);
  },

  /** Forgets the captured jobs of one class. */
  clear(job: ClassRef): void {
    fakeQueue.clear(job);
  },

  /** Forgets every captured job. */
  clearAll(): void {
    fakeQueue.clearAll();
  },

  /**
   * Runs the captured jobs of the given jobs (or of every class a Kiq or registry knows), oldest
   * first, including those pushed meanwhile, until none is left; other jobs stay captured.
   * Resolves to how many ran; a handler's error rejects it.
   */
  drain(...jobs: [JobSource, ...JobSource[]]): Promise<number> {
    return drainKnown(new Handlers(jobs));
  },

  /** Runs every captured job with the registered handlers until none is left; resolves to how many ran. */
  drainAll(): Promise<number> {
    return drainEvery(registeredJobs);
  },

  /** Server middleware around drained and inline runs (Sidekiq::Testing.server_middleware). */
  get middleware(): Chain<ServerContext> {
    return performSettings.middleware;
  },

  /** The logger behind a handler's `this.logger` in tests; silent by default. */
  get logger(): Logger {
    return performSettings.logger;
  },
  set logger(logger: Logger) {
    performSettings.logger = logger;
  },

  /** Back to a fresh start: global mode "disable", no captured or registered jobs, no middleware. */
  reset(): void {
    setGlobalMode("disable");
    fakeQueue.clearAll();
    registeredJobs.clear();
    performSettings.middleware = new Chain<ServerContext>();
  },
};
