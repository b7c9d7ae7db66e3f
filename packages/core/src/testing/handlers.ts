// Which handler runs a job in drain and inline mode: a defineJob() definition or Job class given by
// name, or whatever a registry (a Kiq, or its JobRegistry) would run.

import { KiqError } from "../errors.js";
import { type JobDefinition, toDefinition } from "../server/job.js";
import { classKey } from "./captured-job.js";

/** Anything that finds a job's definition by class name, as JobRegistry does. */
export interface RegistryLike {
  get(className: string): JobDefinition | undefined;
}

/** A job, or many: a definition, a Job class, a registry, or something with one (a Kiq). */
export type JobSource =
  | Parameters<typeof toDefinition>[0]
  | RegistryLike
  | { readonly registry: RegistryLike };

export class Handlers implements RegistryLike {
  private readonly byName = new Map<string, JobDefinition>();
  private readonly registries: RegistryLike[] = [];

  constructor(sources: readonly JobSource[] = []) {
    this.add(...sources);
  }

  /** Adds jobs; a definition replaces an earlier one of the same class (a test may stub a job). */
  add(...sources: JobSource[]): void {
    for (const source of sources) {
      const owned = (source as { registry?: unknown } | null)?.registry; // a Kiq: use its registry
      if (isRegistry(owned)) this.registries.push(owned);
      else if (isRegistry(source)) this.registries.push(source);
      else if (typeof source === "function" || isDefinition(source)) {
        const definition = toDefinition(source);
        this.byName.set(classKey(definition.className), definition);
      } else {
        throw new KiqError(
          `cannot run jobs from ${String(source)}: give defineJob() definitions, Job classes, a Kiq or a JobRegistry`,
        );
      }
    }
  }

  /** Named definitions first, then the registries, the latest added first. */
  get(className: string): JobDefinition | undefined {
    const named = this.byName.get(classKey(className));
    if (named) return named;
    for (let i = this.registries.length - 1; i >= 0; i--) {
      const found = this.registries[i]?.get(className);
      if (found) return found;
    }
    return undefined;
  }

  clear(): void {
    this.byName.clear();
    this.registries.length = 0;
  }
}

/** The jobs Testing.register() added: what inline mode and drainAll() run. */
export const registeredJobs = new Handlers();

/** The definition for `className`, or an error that says how to register it (Ruby would raise NameError). */
export function requireHandler(handlers: RegistryLike, className: string): JobDefinition {
  const definition = handlers.get(className);
  if (definition) return definition;
  throw new KiqError(
    `no handler for job class "${className}": register it with Testing.register(job) (or a Kiq) before running jobs in tests`,
  );
}

function isRegistry(value: unknown): value is RegistryLike {
  return typeof value === "object" && value !== null && typeof (value as RegistryLike).get === "function";
}

function isDefinition(value: unknown): value is JobDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as JobDefinition).className === "string" &&
    typeof (value as JobDefinition).perform === "function"
  );
}
