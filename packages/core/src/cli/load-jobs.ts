// What a `-r FILE` module contributes: every export made by defineJob() or a Job subclass is
// registered; a default-exported function (that is not a job) is called with the Kiq instance
// before it starts, to add middleware and plugins. Detection is structural because the module may
// load its own copy of @kiq/core (CJS vs ESM).

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { KiqError } from "../errors.js";
import type { JobDefinition } from "../server/job.js";
import type { Kiq } from "../server/kiq.js";

type Registrable = Parameters<Kiq["register"]>[number];

function isJob(value: unknown): value is Registrable {
  if (typeof value === "function") {
    const candidate = value as { className?: unknown; prototype?: { perform?: unknown } };
    return typeof candidate.className === "string" && typeof candidate.prototype?.perform === "function";
  }
  const definition = value as Partial<JobDefinition> | null;
  return (
    typeof definition === "object" &&
    definition !== null &&
    typeof definition.className === "string" &&
    typeof definition.perform === "function"
  );
}

export async function loadJobFiles(kiq: Kiq, files: readonly string[]): Promise<void> {
  for (const file of files) {
    let module: Record<string, unknown>;
    try {
      module = await import(pathToFileURL(resolve(file)).href);
    } catch (error) {
      throw new KiqError(`cannot load ${file}: ${(error as Error).message}`);
    }
    const jobs = Object.values(module).filter(isJob);
    kiq.register(...new Set(jobs));
    const setup = module.default;
    if (typeof setup === "function" && !isJob(setup)) await setup(kiq);
    if (jobs.length === 0 && typeof setup !== "function") {
      kiq.logger.warn({ file }, "module exports no jobs and no setup function");
    }
  }
}
