import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: false, // the build script empties dist
  target: "node20",
  loader: { ".lua": "text" },
});
