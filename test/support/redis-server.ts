// A private redis-server for tests: loopback only, no persistence, 64 databases (one per vitest
// worker), never the machine's shared 6379.

import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { freePort } from "./free-port.js";

const START_TIMEOUT_MS = 10_000;
const PING_INTERVAL_MS = 25;
/** Another process may take the free port before redis-server binds it; then we try another. */
const PORT_ATTEMPTS = 3;

export interface RedisServer {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts redis-server on `port` (default: a free one) and resolves once it answers PING. */
export async function startRedisServer(port?: number, extraArgs: string[] = []): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const chosen = port ?? (await freePort());
    try {
      return await startOn(chosen, extraArgs);
    } catch (err) {
      if (port !== undefined || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

async function startOn(port: number, extraArgs: string[]): Promise<RedisServer> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", [...args, "--databases", "64", ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited while starting on port ${port}:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(
        `redis-server did not answer PING on port ${port} within ${START_TIMEOUT_MS} ms:\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, PING_INTERVAL_MS));
  }
  return {
    port,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** True when something on the port answers a RESP PING with +PONG. */
export function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk;
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}
