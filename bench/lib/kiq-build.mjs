// The kiq build a benchmark measures: a snapshot of packages/core/dist taken once at the start, so
// every round runs the same code even if `npm run build` rewrites dist meanwhile (other work in the
// same tree). The snapshot sits under node_modules/.cache so its imports (ioredis, pino, …) resolve
// from the root node_modules exactly as dist's do.

import { createHash } from "node:crypto";
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../../packages/core/dist/", import.meta.url));
const CACHE = fileURLToPath(new URL("../../node_modules/.cache/kiq-bench/", import.meta.url));

/** Copies dist; returns the snapshot's index.js path, a short hash of the build, and remove(). */
export function snapshotKiqBuild() {
  const entry = `${DIST}index.js`;
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const hash = createHash("sha256");
  const copy = `${CACHE}dist-${process.pid}/`;
  cpSync(DIST, copy, { recursive: true, filter: (path) => !path.endsWith(".map") });
  for (const file of ["index.js", ...chunksOf(`${copy}index.js`)])
    hash.update(readFileSync(`${copy}${file}`));
  return {
    module: `${copy}index.js`,
    sha: hash.digest("hex").slice(0, 12),
    remove: () => rmSync(copy, { recursive: true, force: true }),
  };
}

/** The chunk files index.js imports (tsup splits code shared with other entry points). */
function chunksOf(file) {
  return [...readFileSync(file, "utf8").matchAll(/from "\.\/([^"]+)"/g)].map((m) => m[1]).sort();
}
