import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import type { CronJobDefinition } from "./cron-job.js";

/** Where sidekiq-cron 1.8.0 looks for the schedule (relative to the app root). */
export const DEFAULT_SCHEDULE_FILE = "config/schedule.yml";

type Entry = Record<string, unknown>;

const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
const TRUE_TEXT = /^(true|t|yes|y|1)$/i;
const flag = (v: unknown) => (v === undefined ? undefined : v === true || TRUE_TEXT.test(String(v)));

/** sidekiq-cron's `parse_args`: an array as is, a JSON string parsed, a hash wrapped, anything else wrapped. */
function parseArgs(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === "string") {
    try {
      const parsed: unknown = JSON.parse(v);
      return Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      return [v];
    }
  }
  return [v];
}

/** 2.x's `retry`: a number, or true/false (also as text, as YAML may give it). */
function retryOf(v: unknown): boolean | number | undefined {
  if (v === undefined || v === null || typeof v === "boolean" || typeof v === "number") return v ?? undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : flag(v);
}

function toDefinition(entry: Entry, name: string): CronJobDefinition {
  const def: CronJobDefinition = {
    name,
    cron: text(entry.cron) ?? "",
    klass: text(entry.class ?? entry.klass) ?? "",
    args: parseArgs(entry.args),
  };
  const optional: [keyof CronJobDefinition, unknown][] = [
    ["namespace", text(entry.namespace)],
    ["queue", text(entry.queue)],
    ["description", text(entry.description)],
    ["status", text(entry.status)],
    ["activeJob", flag(entry.active_job)],
    ["dateAsArgument", flag(entry.date_as_argument)],
    ["queueNamePrefix", text(entry.queue_name_prefix)],
    ["queueNameDelimiter", text(entry.queue_name_delimiter)],
    ["symbolizeArgs", flag(entry.symbolize_args)],
    ["retry", retryOf(entry.retry)],
  ];
  for (const [key, value] of optional) if (value !== undefined) Object.assign(def, { [key]: value });
  return def;
}

/**
 * A schedule as sidekiq-cron 1.8.0 reads `config/schedule.yml`: a hash of name → definition
 * (`load_from_hash`) or an array of definitions with `name` (`load_from_array`).
 */
export function parseSchedule(yamlText: string): CronJobDefinition[] {
  const doc: unknown = parse(yamlText);
  if (doc === null || doc === undefined) return [];
  if (Array.isArray(doc)) return (doc as Entry[]).map((e) => toDefinition(e, text(e.name) ?? ""));
  if (typeof doc === "object") {
    return Object.entries(doc as Record<string, Entry>).map(([name, e]) => toDefinition(e ?? {}, name));
  }
  throw new Error("a cron schedule is a YAML hash (name → job) or a list of jobs with a name");
}

export async function readSchedule(path: string = DEFAULT_SCHEDULE_FILE): Promise<CronJobDefinition[]> {
  return parseSchedule(await readFile(path, "utf8"));
}
