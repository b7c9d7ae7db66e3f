// @kiq/core/testing: fake and inline modes for your own tests (like Sidekiq::Testing). A separate
// entry point, so production code never loads it.

export type { CapturedJob } from "./captured-job.js";
export { MAX_DRAINED_JOBS } from "./drain.js";
export type { ClassRef } from "./fake-queue.js";
export type { JobSource, RegistryLike } from "./handlers.js";
export type { TestingMode } from "./mode.js";
export type { ModeSwitch } from "./testing.js";
export { Testing } from "./testing.js";
