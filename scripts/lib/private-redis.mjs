// A throwaway redis-server for `npm run demo` and `npm run example`: a free port on loopback, no
// persistence, gone when stop() is called (or this process exits). REDIS_URL, when set, is used
// instead, so the demo and the examples can also run against a Redis you already have.

import { spawn, spawnSync } from "node:child_process";
import { connect, createServer } from "node:net";

const START_TIMEOUT_MS = 10_000;

/** A port nothing listens on right now. */
export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Resolves once something accepts connections on the port. */
const accepts = (port) =>
  new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true)).once("error", () => done(false));
  });

/** `{ url, stop }`: REDIS_URL if set, else a private redis-server that stop() (or exit) ends. */
export async function privateRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop() {} };
  if (spawnSync("sh", ["-c", "command -v redis-server"]).status !== 0) {
    console.error("redis-server is missing: sudo apt-get install -y redis-server (or set REDIS_URL)");
    process.exit(1);
  }
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const stop = () => child.kill();
  process.once("exit", stop);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`redis-server did not start on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}
