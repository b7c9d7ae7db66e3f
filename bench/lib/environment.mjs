// What a benchmark result records about the machine and the code it measured.

import { execFileSync } from "node:child_process";
import { cpus, platform, release } from "node:os";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

export function environment(redisVersion) {
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    os: `${platform()} ${release()}`,
    node: process.versions.node,
    ruby: run("ruby", ["-e", "print RUBY_VERSION"]),
    redis: redisVersion,
    commit: run("git", ["rev-parse", "--short", "HEAD"]),
    // dist is built from the working tree: say when packages/core had uncommitted edits.
    coreUncommitted: Boolean(run("git", ["status", "--porcelain", "packages/core"])),
  };
}
