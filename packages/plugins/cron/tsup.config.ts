import { defineConfig } from "tsup";
import { pluginEntry } from "../tsup.plugin.js";

export default defineConfig([
  pluginEntry,
  {
    // The `kiq-cron` command: ESM only, no types.
    entry: { cli: "src/cli.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
  },
]);
