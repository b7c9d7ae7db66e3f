import { isActiveJobDefinition } from "../activejob/define.js";
import { activeJobClassName } from "../activejob/envelope.js";
import { KiqError } from "../errors.js";
import type { JobItem } from "../wire/types.js";
import { type JobDefinition, toDefinition } from "./job.js";

type Registrable = Parameters<typeof toDefinition>[0];

/**
 * The jobs a worker knows, by Sidekiq class name (a leading "::" is ignored, as Ruby does), and
 * ActiveJob definitions by ActiveJob class name: a job whose class is an ActiveJob wrapper runs
 * the definition its job hash names.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, JobDefinition>();
  private readonly activeJobs = new Map<string, JobDefinition>();

  register(...jobs: Registrable[]): void {
    for (const job of jobs) {
      const definition = toDefinition(job);
      const name = normalize(definition.className);
      const map = isActiveJobDefinition(definition) ? this.activeJobs : this.jobs;
      if (map.has(name)) throw new KiqError(`a job named "${name}" is already registered`);
      map.set(name, definition);
    }
  }

  /** The definition registered under a Sidekiq class name. */
  get(className: string): JobDefinition | undefined {
    return this.jobs.get(normalize(className));
  }

  /** What runs `item`: for an ActiveJob wrapper, the ActiveJob definition (else one registered for the wrapper itself). */
  resolve(item: JobItem): JobDefinition | undefined {
    const activeJob = activeJobClassName(item);
    const definition = activeJob === undefined ? undefined : this.activeJobs.get(normalize(activeJob));
    return definition ?? this.jobs.get(normalize(item.class));
  }

  /** The class Ruby would look up to run `item` (the ActiveJob class for a wrapper), for its NameError. */
  performedClass(item: JobItem): string {
    return activeJobClassName(item) ?? item.class;
  }

  get size(): number {
    return this.jobs.size + this.activeJobs.size;
  }

  names(): string[] {
    return [...this.jobs.keys(), ...this.activeJobs.keys()];
  }
}

const normalize = (name: string) => (name.startsWith("::") ? name.slice(2) : name);
