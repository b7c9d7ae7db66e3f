// A private redis-server for one benchmark run: loopback only, no persistence, a free port (never
// the machine's shared 6379). Start it, read `url`, `stop()` it in a finally block.

import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";

const START_TIMEOUT_MS = 10_000;
const PING_INTERVAL_MS = 25;
/** Another process may take the free port before redis-server binds it; then we try another. */
const PORT_ATTEMPTS = 3;

/** A loopback port nobody listens on right now: the OS picks one for listen(0), we release it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server on a free loopback port and resolves once it answers PING.
 * @returns {Promise<{ port: number, url: string, pid: number, version: string, stop(): Promise<void> }>}
 */
export async function startRedisServer(extraArgs = []) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), extraArgs);
    } catch (err) {
      if (attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

async function startOn(port, extraArgs) {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", [...args, ...extraArgs], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk) => {
    output += chunk;
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const spawned = new Promise((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (err) =>
      reject(
        err.code === "ENOENT"
          ? new Error("redis-server is missing: sudo apt-get install -y redis-server")
          : err,
      ),
    );
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await spawned;

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited while starting on port ${port}:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not answer PING on port ${port} within ${START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, PING_INTERVAL_MS));
  }
  const version = /Redis version=([^,\s]+)/.exec(output)?.[1] ?? "unknown";
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    version,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** True when something on the port answers a RESP PING with +PONG. */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let reply = "";
    const done = (ok) => {
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
