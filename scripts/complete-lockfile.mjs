// Keeps package-lock.json usable by `npm ci` everywhere. When the registry npm resolves from lacks
// another platform's build of a package (say @rollup/rollup-darwin-arm64 at rollup's version),
// npm leaves that optional dependency out of the lockfile, and `npm ci` then refuses the lockfile.
// This adds each such entry back, with its platform in `os`/`cpu`/`libc`, so npm knows to skip it
// here and installs it on the platform it is for. Run it after `npm install` changes the lockfile.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const LOCKFILE = fileURLToPath(new URL("../package-lock.json", import.meta.url));

const OS = [
  "android",
  "darwin",
  "freebsd",
  "linux",
  "openbsd",
  "openharmony",
  "sunos",
  "win32",
  "aix",
  "netbsd",
  "cygwin",
];
const CPU = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x", "mips64el"];
const ALIASES = { windows: "win32", 64: "x64", 32: "ia32", gnueabihf: "arm", musleabihf: "arm", eabi: "arm" };

/** Reads the platform from a package name such as @rollup/rollup-linux-arm64-musl or @turbo/windows-64. */
export function platformOf(name) {
  const parts = name
    .split("/")
    .pop()
    .split("-")
    .map((p) => ALIASES[p] ?? p);
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  const libc = parts.some((p) => p.startsWith("musl"))
    ? "musl"
    : parts.includes("gnu") && os === "linux"
      ? "glibc"
      : undefined;
  return { os, cpu, libc };
}

const lock = JSON.parse(readFileSync(LOCKFILE, "utf8"));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `${path ? `${path}/` : ""}node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`node_modules/${name}`]) continue;
    const { os, cpu, libc } = platformOf(name);
    if (!os && !cpu) continue; // not a platform build: leave it to npm
    lock.packages[`node_modules/${name}`] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(os ? { os: [os] } : {}),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(LOCKFILE, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} platform entries added`);
