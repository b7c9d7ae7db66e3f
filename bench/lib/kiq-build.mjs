// The kiq build a benchmark measures: a snapshot of packages/core/dist taken once at the start, so
// every round runs the same code even if `npm run build` rewrites dist meanwhile (other work in the
// same tree). The snapshot sits under node_modules/.cache so its imports (ioredis, pino, …) resolve
// from the root node_modules exactly as dist's do. @kiq/tracker's build is copied beside it as
// tracker.js, its `@kiq/core` import pointed at the snapshot, so the reliable fetch runs on the same core.

import { createHash } from "node:crypto";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../../packages/core/dist/", import.meta.url));
const TRACKER = fileURLToPath(new URL("../../packages/plugins/tracker/dist/index.js", import.meta.url));
const CACHE = fileURLToPath(new URL("../../node_modules/.cache/kiq-bench/", import.meta.url));

/**
 * Copies dist (and the tracker's build); returns the snapshot's index.js and tracker.js paths, a
 * short hash of the builds, and remove().
 */
export function snapshotKiqBuild() {
  const entry = `${DIST}index.js`;
  for (const file of [entry, TRACKER])
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  const hash = createHash("sha256");
  const copy = `${CACHE}dist-${process.pid}/`;
  cpSync(DIST, copy, { recursive: true, filter: (path) => !path.endsWith(".map") });
  const tracker = readFileSync(TRACKER, "utf8").replaceAll(/from "@kiq\/core"/g, 'from "./index.js"');
  writeFileSync(`${copy}tracker.js`, tracker);
  for (const file of ["index.js", ...chunksOf(`${copy}index.js`), "tracker.js"])
    hash.update(readFileSync(`${copy}${file}`));
  return {
    module: `${copy}index.js`,
    trackerModule: `${copy}tracker.js`,
    sha: hash.digest("hex").slice(0, 12),
    remove: () => rmSync(copy, { recursive: true, force: true }),
  };
}

/** The chunk files index.js imports (tsup splits code shared with other entry points). */
function chunksOf(file) {
  return [...readFileSync(file, "utf8").matchAll(/from "\.\/([^"]+)"/g)].map((m) => m[1]).sort();
}
