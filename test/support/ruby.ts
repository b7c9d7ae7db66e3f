// Running real Ruby Sidekiq (6.4.1, 7.3.10 or 8.1.7) from tests, always against the test run's
// private Redis: fixture scripts that answer in JSON, and real Sidekiq server processes.

import { type ChildProcess, spawn } from "node:child_process";
import { RUBY_SIDEKIQ } from "./paths.js";
import { testRedisUrl } from "./redis.js";

export { SHARED_DIR } from "./paths.js";

export type SidekiqMajor = 6 | 7 | 8;
export const SIDEKIQ_VERSIONS: readonly SidekiqMajor[] = [6, 7, 8];

export type Env = Record<string, string | undefined>;

export interface RubyRunOptions {
  /** Added to the environment; REDIS_URL defaults to this worker's test database. */
  env?: Env;
  /** Written to stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
}

export interface RubyResult {
  stdout: string;
  stderr: string;
  code: number;
}

const RUN_TIMEOUT_MS = 30_000;
/** How long stop() waits after TERM before kill -9 (Sidekiq's own shutdown timeout is shorter). */
const STOP_GRACE_MS = 15_000;
/** Keep the tail of a server's output: enough to explain a failure, bounded for long runs. */
const OUTPUT_LIMIT = 256 * 1024;

/** REDIS_URL is always set: Ruby's default is localhost:6379, the machine's shared server. */
function rubyEnv(extra: Env = {}): NodeJS.ProcessEnv {
  return { ...process.env, REDIS_URL: testRedisUrl(), ...extra };
}

/** `../shared/oracle/ruby-sidekiq <version> ...args`; rejects (with stderr) on a non-zero exit. */
export function rubySidekiq(
  version: SidekiqMajor,
  args: string[],
  opts: RubyRunOptions = {},
): Promise<RubyResult> {
  const timeoutMs = opts.timeoutMs ?? RUN_TIMEOUT_MS;
  const command = `ruby-sidekiq ${version} ${args.join(" ")}`;
  return new Promise((resolve, reject) => {
    const child = spawn(RUBY_SIDEKIQ, [String(version), ...args], {
      env: rubyEnv(opts.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} timed out after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr, code });
      reject(new Error(`${command} exited with ${code ?? signal}\nstderr:\n${stderr}\nstdout:\n${stdout}`));
    });
    // A script that exits without reading stdin closes the pipe; that is not our failure.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

/**
 * Runs a fixture script with `jsonInput` as JSON on stdin and parses the last line of stdout as
 * JSON (Sidekiq may log to stdout before it).
 */
export async function runRubyScript<T = unknown>(
  version: SidekiqMajor,
  scriptPath: string,
  jsonInput: unknown = null,
  opts: Omit<RubyRunOptions, "input"> = {},
): Promise<T> {
  const input = jsonInput === null ? "" : JSON.stringify(jsonInput);
  const { stdout, stderr } = await rubySidekiq(version, [scriptPath], { ...opts, input });
  const lastLine = stdout.trimEnd().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(lastLine) as T;
  } catch {
    throw new Error(
      `${scriptPath} (Sidekiq ${version}) did not end its output with a JSON line\nstdout:\n${stdout}\nstderr:\n${stderr}`,
    );
  }
}

export interface RubySidekiqOptions {
  /** Passed as `-r`: the file defining the job classes, e.g. rubyFixture("jobs.rb"). */
  requireFile: string;
  /** `-q` values, `"name"` or `"name,weight"`; default `["default"]`. */
  queues?: string[];
  /** `-c`; default 5. */
  concurrency?: number;
  /** `-t`, Sidekiq's shutdown timeout in seconds; default 5 so stop() rarely needs kill -9. */
  shutdownTimeout?: number;
  env?: Env;
}

export interface RubySidekiqServer {
  child: ChildProcess;
  /** Everything the server printed so far (stdout and stderr interleaved, tail only). */
  output(): string;
  /** Throws with the server's output if it has exited. */
  assertAlive(): void;
  /** TERM, then wait for exit; kill -9 after 15 s. */
  stop(): Promise<void>;
}

const liveServers = new Set<ChildProcess>();
// A test run that dies without stop() must not leave Sidekiq servers polling the test Redis.
process.once("exit", () => {
  for (const child of liveServers) child.kill("SIGKILL");
});

/** Spawns a real Sidekiq server: `ruby-sidekiq <v> --server -r <file> -q ... -c N`. */
export function startRubySidekiq(version: SidekiqMajor, opts: RubySidekiqOptions): RubySidekiqServer {
  const queues = opts.queues ?? ["default"];
  const args = [String(version), "--server", "-r", opts.requireFile];
  for (const queue of queues) args.push("-q", queue);
  args.push("-c", String(opts.concurrency ?? 5), "-t", String(opts.shutdownTimeout ?? 5));

  const child = spawn(RUBY_SIDEKIQ, args, { env: rubyEnv(opts.env), stdio: ["ignore", "pipe", "pipe"] });
  liveServers.add(child);
  let output = "";
  const collect = (chunk: string) => {
    output = (output + chunk).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.setEncoding("utf8").on("data", collect);
  child.stderr?.setEncoding("utf8").on("data", collect);
  child.on("error", (err) => collect(`\n[spawn error] ${err.message}\n`));
  const exited = new Promise<void>((resolve) =>
    child.once("close", () => {
      liveServers.delete(child);
      resolve();
    }),
  );
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  return {
    child,
    output: () => output,
    assertAlive() {
      if (hasExited()) {
        throw new Error(
          `Sidekiq ${version} server exited with ${child.exitCode ?? child.signalCode}:\n${output}`,
        );
      }
    },
    async stop() {
      if (!hasExited()) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
