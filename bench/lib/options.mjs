// Command-line options shared by the benchmarks. `bench/run.mjs` forwards the same argv to every
// benchmark, so each one ignores options it does not know (and warns about them).

import { parseArgs } from "node:util";

/** Options every benchmark accepts. */
export const COMMON_OPTIONS = {
  jobs: { type: "string" },
  repeat: { type: "string" },
  warmup: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/**
 * Parses argv against COMMON_OPTIONS plus `extra`; returns string/boolean values as parseArgs does.
 * Unknown options are reported on stderr but not fatal (they may belong to another benchmark).
 */
export function parseOptions(argv, extra = {}) {
  const options = { ...COMMON_OPTIONS, ...extra };
  const { values, tokens } = parseArgs({ args: argv, options, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === "option" && !(token.name in options)) {
      console.error(`(ignoring option --${token.name}: not one of this benchmark's)`);
    }
  }
  return values;
}

/** A positive integer option, accepting 100_000 or 100,000; `fallback` when absent. */
export function intOption(values, name, fallback, { min = 1 } = {}) {
  const raw = values[name];
  if (raw === undefined || raw === true) return fallback;
  const n = Number(String(raw).replace(/[_,]/g, ""));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

/** A comma-separated list option; `fallback` when absent. */
export function listOption(values, name, fallback) {
  const raw = values[name];
  if (raw === undefined || raw === true) return fallback;
  return String(raw)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
