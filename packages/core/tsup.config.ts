import { defineConfig } from "tsup";

export default defineConfig([
  {
    // testing: a separate entry point (@kiq/core/testing) so production code never loads it
    entry: { index: "src/index.ts", testing: "src/testing/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: false, // the build script empties dist once for both entries
    target: "node20",
    loader: { ".lua": "text" },
  },
  {
    // The `kiq` command: ESM only, no types.
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    loader: { ".lua": "text" },
  },
]);
