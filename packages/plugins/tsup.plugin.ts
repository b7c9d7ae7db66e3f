// The build every plugin package shares: its public entry as ESM and CJS with types, Lua scripts
// inlined as text. A package's tsup.config.ts re-exports it (cron adds its command's entry).
import { defineConfig, type Options } from "tsup";

export const pluginEntry: Options = {
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: false, // the package's build script empties dist
  target: "node20",
  loader: { ".lua": "text" },
};

export default defineConfig(pluginEntry);
