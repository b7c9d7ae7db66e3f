// Plugin packages may import only @kiq/core's public entry points (@kiq/core, @kiq/core/testing): biome.json's override for
// packages/plugins/** enforces it. This checks the rule itself, on probe files laid out as a
// plugin package would be, with the repository's own biome.json.

import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIOME = join(ROOT, "node_modules/.bin/biome");

function lintAsPlugin(source: string): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), "kiq-boundary-"));
  copyFileSync(join(ROOT, "biome.json"), join(dir, "biome.json"));
  mkdirSync(join(dir, "packages/plugins/probe/src"), { recursive: true });
  writeFileSync(join(dir, "packages/plugins/probe/src/index.ts"), source);
  return new Promise((resolve) => {
    execFile(BIOME, ["lint", "packages/plugins"], { cwd: dir }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe("plugin packages use only @kiq/core's public exports", () => {
  it.each([
    'import { Payload } from "@kiq/core/src/wire/payload.js";',
    'import { Payload } from "../../../core/src/wire/payload.js";',
    'import { Payload } from "../../../core/dist/index.js";',
  ])("rejects %s", async (line) => {
    const { code, output } = await lintAsPlugin(`${line}\nexport const used = Payload;\n`);
    expect(code).not.toBe(0);
    expect(output).toContain("Plugins use only @kiq/core's public entry points");
  });

  it("accepts the public entry points", async () => {
    const { code, output } = await lintAsPlugin(
      'import { Payload } from "@kiq/core";\nimport { Testing } from "@kiq/core/testing";\n\nexport const used = [Payload, Testing];\n',
    );
    expect(output).not.toContain("noRestrictedImports");
    expect(code).toBe(0);
  });
});
