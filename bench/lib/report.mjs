// Prints a benchmark's results as a table and writes them to bench/results/<name>.json, which the
// README quotes. Every row is compared with one reference row (ratio = row jobs/s ÷ reference jobs/s).

import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url));

/**
 * @typedef {object} Row
 * @property {string} id           short key ratios refer to ("kiq", "ruby-7")
 * @property {string} name         what the table shows
 * @property {number} jobs         jobs per timed run
 * @property {number} seconds      median timed seconds over the runs
 * @property {number[]} [runs]     every run's seconds (the table shows the best as "best jobs/s")
 * @property {number} [cpuSeconds] the contender process's CPU time (user + system) in the timed part
 * @property {number} [rssMb]      peak resident set size of the contender's process, when measured
 * @property {boolean} [verified]  whether every job was found in Redis afterwards
 *
 * @typedef {object} Ratio
 * @property {string} of       row id (numerator)
 * @property {string} to       row id (denominator)
 * @property {number} [target] the ratio the project aims for
 */

/** Median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * @param {{ name: string, title: string, reference: string, rows: Row[], ratios?: Ratio[],
 *           params?: object, environment?: object, notes?: string[] }} result
 * @returns the document written to bench/results/<name>.json
 */
export function report({
  name,
  title,
  reference,
  rows,
  ratios = [],
  params = {},
  environment = {},
  notes = [],
}) {
  const rate = (row) => row.jobs / row.seconds;
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ref = byId.get(reference);

  const table = rows.map((row) => ({
    ...row,
    // Tenths of a millisecond and of a megabyte are as precise as these figures get.
    seconds: round(row.seconds, 4),
    runs: row.runs?.map((s) => round(s, 4)),
    cpuSeconds: row.cpuSeconds === undefined ? undefined : round(row.cpuSeconds, 4),
    rssMb: row.rssMb === undefined ? undefined : round(row.rssMb, 1),
    jobsPerSec: Math.round(rate(row)),
    bestJobsPerSec: row.runs?.length > 0 ? Math.round(row.jobs / Math.min(...row.runs)) : undefined,
    vsReference: ref ? round(rate(row) / rate(ref), 2) : null,
  }));
  // Optional columns appear when some row has them.
  const showBest = table.some((row) => row.runs?.length > 1);
  const showCpu = table.some((row) => row.cpuSeconds !== undefined);
  const optional = (show, cell) => (show ? [cell] : []);
  const ratioRows = ratios
    .filter(({ of, to }) => byId.has(of) && byId.has(to))
    .map(({ of, to, target }) => {
      const value = round(rate(byId.get(of)) / rate(byId.get(to)), 2);
      return { of, to, value, target: target ?? null, met: target === undefined ? null : value >= target };
    });

  console.log(`\n${title}`);
  printTable(
    [
      "contender",
      "jobs",
      "seconds",
      "jobs/s",
      ...optional(showBest, "best jobs/s"),
      ...optional(showCpu, "CPU s"),
      "RSS MB",
      `× ${ref?.name ?? reference}`,
    ],
    table.map((row) => [
      row.verified === false ? `${row.name} (JOBS MISSING)` : row.name,
      row.jobs.toLocaleString("en-US"),
      row.seconds.toFixed(3),
      row.jobsPerSec.toLocaleString("en-US"),
      ...optional(showBest, row.bestJobsPerSec?.toLocaleString("en-US") ?? "—"),
      ...optional(showCpu, row.cpuSeconds?.toFixed(3) ?? "—"),
      row.rssMb === undefined ? "—" : row.rssMb.toFixed(0),
      row.vsReference === null ? "—" : row.vsReference.toFixed(2),
    ]),
  );
  if (ratioRows.length > 0) {
    console.log("");
    for (const r of ratioRows) {
      const target = r.target === null ? "" : `   (target ≥ ${r.target}: ${r.met ? "met" : "NOT met"})`;
      console.log(`  ${byId.get(r.of).name} / ${byId.get(r.to).name} = ${r.value.toFixed(2)}×${target}`);
    }
  }
  for (const note of notes) console.log(`  · ${note}`);

  const document = {
    benchmark: name,
    title,
    date: new Date().toISOString(),
    params,
    environment,
    reference,
    rows: table,
    ratios: ratioRows,
    notes,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${name}.json`;
  writeFileSync(file, `${formatJson(document)}\n`);
  console.log(`\n  results written to ${file}`);
  return document;
}

function printTable(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  // First column left-aligned (names), the others right-aligned (numbers).
  const line = (cells) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  console.log(`  ${line(header)}`);
  console.log(`  ${widths.map((w) => "─".repeat(w)).join("  ")}`);
  for (const cells of body) console.log(`  ${line(cells)}`);
}

const LINE_WIDTH = 110; // biome.json's lineWidth: the file is written the way `biome format` leaves it

/**
 * JSON.stringify(value, null, 2), except as Biome prints arrays: on one line when they fit, and
 * arrays of numbers that do not fit filled line by line rather than one number per line.
 */
export function formatJson(value, indent = "", prefix = "") {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v) => formatJson(v, inner));
    if (value.every((v) => v === null || typeof v !== "object")) {
      const flat = `[${items.join(", ")}]`;
      if (indent.length + prefix.length + flat.length + 1 <= LINE_WIDTH) return flat;
    }
    if (value.every((v) => typeof v === "number")) return `[\n${fill(items, inner)}\n${indent}]`;
    return `[\n${items.map((item) => inner + item).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  const lines = entries.map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${formatJson(v, inner, key)}`;
  });
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

/** Numbers separated by ", ", as many to a line as fit. */
function fill(items, indent) {
  const lines = [];
  let line = indent;
  for (const [i, item] of items.entries()) {
    const text = i < items.length - 1 ? `${item},` : item;
    if (line === indent) line += text;
    else if (line.length + 1 + text.length <= LINE_WIDTH) line += ` ${text}`;
    else {
      lines.push(line);
      line = indent + text;
    }
  }
  lines.push(line);
  return lines.join("\n");
}

function round(n, digits) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
