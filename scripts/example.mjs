// `npm run example -- <name>`: runs examples/<name>/main.ts on a private redis-server (or REDIS_URL),
// with arguments after the name passed on. The example is TypeScript that imports kiq by its package
// names, as your app would: tsup compiles it (the packages stay imports, so they resolve to the built
// @kiq/* in node_modules) and node runs it from the example's folder.

import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";
import { privateRedis } from "./lib/private-redis.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLES = path.join(ROOT, "examples");

const runnable = readdirSync(EXAMPLES).filter((name) => existsSync(path.join(EXAMPLES, name, "main.ts")));
const [name, ...args] = process.argv.slice(2);
if (!runnable.includes(name)) {
  console.error(`usage: npm run example -- <name>   (one of: ${runnable.join(", ")})`);
  process.exit(2);
}

const dir = path.join(EXAMPLES, name);
// Under node_modules, so the compiled file finds @kiq/* as the example's own imports would.
const outDir = path.join(ROOT, "node_modules", ".cache", "kiq-examples", name);
// Every module of the example is an entry, so main.js can start another one as a process of its own
// (`new URL("./worker.js", import.meta.url)`), as an example that kills a worker needs to.
const entry = readdirSync(dir)
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
  .map((file) => path.join(dir, file));
await build({
  entry,
  outDir,
  format: "esm",
  platform: "node",
  target: "node20",
  external: [/^[^./]/], // every package: only the example's own files are compiled in
  clean: true, // no modules left from an earlier run
  config: false,
  silent: true,
});

const redis = await privateRedis();
const child = spawn(process.execPath, [path.join(outDir, "main.js"), ...args], {
  cwd: dir,
  env: { ...process.env, REDIS_URL: redis.url },
  stdio: "inherit",
});
// Ctrl-C or a kill stops the example first; its exit then stops the redis-server.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  redis.stop();
  process.exit(code ?? (signal ? 1 : 0));
});
