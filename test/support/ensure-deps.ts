// What the cross-language tests need from the machine. Missing pieces are installed from Debian's
// packages when we can (root with apt-get); otherwise the run fails with the command that installs
// them. Never a silent skip.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SHARED_DIR = fileURLToPath(new URL("../../../shared/", import.meta.url));
export const RUBY_SIDEKIQ = `${SHARED_DIR}oracle/ruby-sidekiq`;

const PACKAGES: [pkg: string, present: () => boolean][] = [
  ["redis-server", () => has("redis-server")],
  ["ruby", () => has("ruby")],
  ["ruby-sidekiq", () => rubyRequires("sidekiq")],
  ["ruby-activejob", () => rubyRequires("active_job")],
  ["ruby-sidekiq-cron", () => rubyRequires("sidekiq-cron")],
  ["ruby-concurrent", () => rubyRequires("concurrent")],
  ["ruby-thor", () => rubyRequires("thor")],
  ["puma", () => has("puma")],
];

function has(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

function rubyRequires(lib: string): boolean {
  return has("ruby") && spawnSync("ruby", ["-e", `require "${lib}"`], { stdio: "ignore" }).status === 0;
}

export function ensureDeps(): void {
  let missing = PACKAGES.filter(([, present]) => !present()).map(([pkg]) => pkg);
  if (missing.length > 0 && process.getuid?.() === 0 && has("apt-get")) {
    console.log(`installing missing test dependencies: ${missing.join(" ")}`);
    execFileSync("apt-get", ["update", "-q"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-q", ...missing], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    missing = PACKAGES.filter(([, present]) => !present()).map(([pkg]) => pkg);
  }
  if (missing.length > 0) {
    throw new Error(
      `kiq's tests need Redis and Ruby Sidekiq. Install them with:\n  sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}`,
    );
  }
  if (!existsSync(RUBY_SIDEKIQ)) {
    throw new Error(
      `kiq's tests need the Ruby Sidekiq oracle at ${RUBY_SIDEKIQ} (the shared/ folder beside the repository)`,
    );
  }
}
