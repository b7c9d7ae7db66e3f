// `npm run bench`: runs every benchmark below in sequence, each in its own Node process, forwarding
// the command line (e.g. `npm run bench -- --jobs 20000`). `--only name[,name]` picks some of them.
// Add a benchmark by writing bench/<name>.mjs (see bench/README.md) and listing it here.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BENCHMARKS = [
  "push-bulk", // kiq Client.pushBulk vs Ruby Sidekiq push_bulk (6, 7, 8) and BullMQ addBulk
  "drain", // kiq's worker vs Ruby Sidekiq's server (6, 7, 8) and BullMQ's Worker, N no-op jobs
];

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
let only;
const forwarded = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--only") only = argv[++i]?.split(",");
  else if (argv[i].startsWith("--only=")) only = argv[i].slice("--only=".length).split(",");
  else forwarded.push(argv[i]);
}
for (const name of only ?? []) {
  if (!BENCHMARKS.includes(name)) {
    console.error(`unknown benchmark ${name}; known: ${BENCHMARKS.join(", ")}`);
    process.exit(2);
  }
}

const failed = [];
for (const name of BENCHMARKS.filter((b) => !only || only.includes(b))) {
  console.log(`\n━━ ${name} ━━`);
  const { status, signal } = spawnSync(process.execPath, [`bench/${name}.mjs`, ...forwarded], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (status !== 0) failed.push(`${name} (${signal ?? `exit ${status}`})`);
}
if (failed.length > 0) {
  console.error(`\nbenchmarks failed: ${failed.join(", ")}`);
  process.exit(1);
}
