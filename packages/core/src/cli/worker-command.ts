import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { KiqError } from "../errors.js";
import type { Plugin } from "../plugin/plugin.js";
import { Kiq } from "../server/kiq.js";
import { parseQueueArg } from "../server/queues.js";
import type { SidekiqVersion } from "../wire/types.js";
import { loadSidekiqConfig } from "./config-file.js";
import { loadJobFiles } from "./load-jobs.js";

/** Sidekiq looks for this file when -C is not given. */
const DEFAULT_CONFIG = "config/sidekiq.yml";

export async function workerCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      require: { type: "string", short: "r", multiple: true },
      queue: { type: "string", short: "q", multiple: true },
      concurrency: { type: "string", short: "c" },
      timeout: { type: "string", short: "t" },
      tag: { type: "string", short: "g" },
      config: { type: "string", short: "C" },
      environment: { type: "string", short: "e" },
      "sidekiq-version": { type: "string" },
      redis: { type: "string" },
      reliable: { type: "boolean" },
    },
    strict: true,
  });
  const configPath = values.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  const config = configPath ? loadSidekiqConfig(configPath, values.environment) : {};
  const kiq = new Kiq({
    url: values.redis,
    concurrency: values.concurrency === undefined ? config.concurrency : integer(values.concurrency, "-c"),
    queues: values.queue?.map(parseQueueArg) ?? config.queues,
    timeout: values.timeout === undefined ? config.timeout : integer(values.timeout, "-t"),
    tag: values.tag ?? config.tag,
    labels: config.labels,
    sidekiqVersion: sidekiqVersion(values["sidekiq-version"]),
  });
  if (!values.require?.length) throw new KiqError("kiq worker needs at least one -r FILE that exports jobs");
  const reliable = values.reliable ? (config.reliable ?? true) : config.reliable;
  if (reliable) kiq.use(await loadTracker(reliable === true ? {} : reliable));
  await loadJobFiles(kiq, values.require);
  await kiq.run();
  // Interrupted handlers may still hold timers or sockets; their jobs are back in Redis, so leave.
  process.exit(0);
}

/** The reliable fetch lives in @kiq/tracker, an optional package: loaded only when asked for. */
const TRACKER_PACKAGE = "@kiq/tracker";

async function loadTracker(options: Record<string, unknown>): Promise<Plugin> {
  let tracker: unknown;
  try {
    // A variable specifier: the bundler must not pull the plugin into core.
    ({ tracker } = (await import(TRACKER_PACKAGE)) as { tracker?: unknown });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(TRACKER_PACKAGE)) {
      throw new KiqError(`--reliable needs the ${TRACKER_PACKAGE} package: npm install ${TRACKER_PACKAGE}`);
    }
    throw error;
  }
  if (typeof tracker !== "function") throw new KiqError(`${TRACKER_PACKAGE} does not export tracker()`);
  return (tracker as (options: Record<string, unknown>) => Plugin)(options);
}

function integer(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new KiqError(`${flag} expects a whole number, got "${text}"`);
  return n;
}

function sidekiqVersion(text: string | undefined): SidekiqVersion | "detect" {
  if (text === undefined) return "detect";
  if (text === "6" || text === "7" || text === "8") return Number(text) as SidekiqVersion;
  throw new KiqError(`--sidekiq-version must be 6, 7 or 8, got "${text}"`);
}
