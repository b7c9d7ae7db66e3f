// vitest globalSetup: checks the machine has what the tests need, then starts one private
// redis-server for the whole run. Each worker uses its own database on it (see redis.ts).

import "./provided-context.js";
import type { TestProject } from "vitest/node";
import { ensureDeps } from "./ensure-deps.js";
import { startRedisServer } from "./redis-server.js";

// Kept for test files that imported it from here before free-port.ts existed.
export { freePort } from "./free-port.js";

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  ensureDeps();
  const redis = await startRedisServer();
  // If vitest dies without running teardown, do not leave the server behind.
  const killOnExit = () => redis.child.kill("SIGKILL");
  process.once("exit", killOnExit);

  provide("redisPort", redis.port);
  // Child processes (Ruby scripts, kiq CLI workers) find the server through the environment.
  process.env.KIQ_TEST_REDIS_PORT = String(redis.port);

  return async () => {
    process.off("exit", killOnExit);
    await redis.stop();
  };
}
