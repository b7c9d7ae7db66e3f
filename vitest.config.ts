import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources; child processes (CLI, workers) run the built dist.
    alias: { "@kiq/core": src("./packages/core/src/index.ts") },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "packages/plugins/*/test/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["./test/support/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
