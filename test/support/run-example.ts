// Runs `npm run example -- <name>` (scripts/example.mjs, on the built packages) as a child process:
// without REDIS_URL, as a fresh machine does, unless `env` gives one. Resolves with its stdout.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const RUNNER = fileURLToPath(new URL("../../scripts/example.mjs", import.meta.url));
/** A build, a redis-server, and the example's own run. */
export const EXAMPLE_MS = 60_000;

export function runExample(name: string, env: Record<string, string> = {}): Promise<string> {
  const { REDIS_URL: _ignored, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    execFile(
      "node",
      [RUNNER, name],
      { env: { ...inherited, ...env }, timeout: EXAMPLE_MS },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`))
          : resolve(stdout),
    );
  });
}
