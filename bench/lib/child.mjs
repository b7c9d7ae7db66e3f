// Runs one contender in its own process (so its RSS is its own) and reads the JSON object it prints
// as its last line of stdout. Contenders print nothing else to stdout; logs go to stderr.

import { spawn } from "node:child_process";

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, timeoutMs?: number }} [options]
 * @returns {Promise<object>} the parsed last stdout line
 */
export function runContender(command, args, { cwd, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const describe = `${command} ${args.join(" ")}`;
      if (code !== 0) {
        reject(new Error(`${describe} exited with ${signal ?? code}:\n${stderr.trim() || stdout.trim()}`));
        return;
      }
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${describe} printed no JSON result line:\n${stdout}\n${stderr}`));
      }
    });
  });
}
