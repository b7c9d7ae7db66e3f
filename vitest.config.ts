import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  // Lua scripts are imported as text, as tsup's "text" loader does in the build.
  plugins: [
    {
      name: "lua-as-text",
      transform: (code: string, id: string) =>
        id.endsWith(".lua") ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined,
    },
  ],
  resolve: {
    // Tests run the TypeScript sources; child processes (CLI, workers) run the built dist.
    // (the subpath first: an alias also matches what starts with its key and a slash)
    alias: {
      "@kiq/core/testing": src("./packages/core/src/testing/index.ts"),
      "@kiq/core": src("./packages/core/src/index.ts"),
      "@kiq/cron": src("./packages/plugins/cron/src/index.ts"),
      "@kiq/unique-jobs": src("./packages/plugins/unique-jobs/src/index.ts"),
      "@kiq/tracker": src("./packages/plugins/tracker/src/index.ts"),
      "@kiq/tenant": src("./packages/plugins/tenant/src/index.ts"),
      "@kiq/limits": src("./packages/plugins/limits/src/index.ts"),
    },
  },
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "packages/plugins/*/test/**/*.test.ts",
      "test/**/*.test.ts",
      "examples/*/*.test.ts",
    ],
    globalSetup: ["./test/support/global-setup.ts"],
    pool: "forks",
    // Most tests wait on Redis, Ruby and child processes rather than on the CPU: two files at a time
    // even on a 2-core machine (vitest's default there is one).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
