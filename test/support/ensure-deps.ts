// What the cross-language tests need from the machine. Missing pieces are installed from Debian's
// packages when we can (root with apt-get); otherwise the run fails with the command that installs
// them. Never a silent skip: a test that did not run against real Ruby proves nothing.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { RUBY_SIDEKIQ } from "./paths.js";

// Kept for files that imported them from here before paths.ts existed.
export { RUBY_SIDEKIQ, SHARED_DIR } from "./paths.js";

/** Debian package -> how we tell it is there (a command on PATH, or a library Ruby can require). */
const PACKAGES: readonly { pkg: string; command?: string; rubyLib?: string }[] = [
  { pkg: "redis-server", command: "redis-server" },
  { pkg: "ruby", command: "ruby" },
  { pkg: "ruby-sidekiq", rubyLib: "sidekiq" },
  { pkg: "ruby-activejob", rubyLib: "active_job" },
  { pkg: "ruby-sidekiq-cron", rubyLib: "sidekiq-cron" },
  { pkg: "puma", command: "puma" },
  { pkg: "ruby-concurrent", rubyLib: "concurrent" },
  { pkg: "ruby-thor", rubyLib: "thor" },
  { pkg: "ruby-gitlab-sidekiq-fetcher", rubyLib: "sidekiq-reliable-fetch" },
];

function hasCommand(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v '${command}'`], { stdio: "ignore" }).status === 0;
}

/** The libraries Ruby cannot require, asked in one Ruby process (each start costs ~100 ms). */
function missingRubyLibs(libs: string[]): Set<string> {
  if (!hasCommand("ruby")) return new Set(libs);
  const script = "ARGV.each { |l| begin; require l; rescue LoadError; puts l; end }";
  const result = spawnSync("ruby", ["-e", script, ...libs], { encoding: "utf8" });
  return new Set(result.stdout.split("\n").filter(Boolean));
}

export function missingPackages(): string[] {
  const libs = PACKAGES.flatMap((p) => (p.rubyLib ? [p.rubyLib] : []));
  const missingLibs = missingRubyLibs(libs);
  const present = (p: (typeof PACKAGES)[number]) =>
    p.command ? hasCommand(p.command) : !missingLibs.has(p.rubyLib ?? "");
  return PACKAGES.filter((p) => !present(p)).map((p) => p.pkg);
}

function aptInstall(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  console.log(`kiq tests: installing missing Debian packages: ${packages.join(" ")}`);
  console.log("+ apt-get update");
  execFileSync("apt-get", ["update"], { stdio: "inherit", env });
  console.log(`+ DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(" ")}`);
  execFileSync("apt-get", ["install", "-y", ...packages], { stdio: "inherit", env });
}

/** Throws (with the command that fixes it) unless Redis, Ruby Sidekiq and the oracle are usable. */
export function ensureDeps(): void {
  let missing = missingPackages();
  if (missing.length > 0 && process.getuid?.() === 0 && hasCommand("apt-get")) {
    aptInstall(missing);
    missing = missingPackages();
  }
  if (missing.length > 0) {
    throw new Error(
      `kiq's tests need Redis and Ruby Sidekiq from Debian; missing: ${missing.join(", ")}. Install them with:\n` +
        `  sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}`,
    );
  }
  if (!existsSync(RUBY_SIDEKIQ)) {
    throw new Error(
      `kiq's tests need the Ruby Sidekiq oracle at ${RUBY_SIDEKIQ} ` +
        "(the shared/ folder must sit beside the repository, as ../shared)",
    );
  }
}
