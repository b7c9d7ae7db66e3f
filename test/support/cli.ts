// Runs the built `kiq` command (packages/core/dist/cli.js; `npm test` builds it first).

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { testRedisUrl } from "./redis.js";

export const KIQ_CLI = fileURLToPath(new URL("../../packages/core/dist/cli.js", import.meta.url));

/** Runs `kiq <args>` to completion. */
export function kiq(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "node",
      [KIQ_CLI, ...args],
      { env: { ...process.env, REDIS_URL: testRedisUrl() } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Starts `kiq worker <args>`; `output()` is everything it printed so far. */
export function kiqWorker(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn("node", [KIQ_CLI, "worker", ...args], {
    env: { ...process.env, REDIS_URL: testRedisUrl() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}
