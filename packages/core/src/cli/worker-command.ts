import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { KiqError } from "../errors.js";
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
  await loadJobFiles(kiq, values.require);
  await kiq.run();
  // Interrupted handlers may still hold timers or sockets; their jobs are back in Redis, so leave.
  process.exit(0);
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
