import { KiqError } from "../errors.js";
import { type JobDefinition, toDefinition } from "./job.js";

type Registrable = Parameters<typeof toDefinition>[0];

/** The jobs a worker knows, by Sidekiq class name (a leading "::" is ignored, as Ruby does). */
export class JobRegistry {
  private readonly jobs = new Map<string, JobDefinition>();

  register(...jobs: Registrable[]): void {
    for (const job of jobs) {
      const definition = toDefinition(job);
      const name = normalize(definition.className);
      if (this.jobs.has(name)) throw new KiqError(`a job named "${name}" is already registered`);
      this.jobs.set(name, definition);
    }
  }

  get(className: string): JobDefinition | undefined {
    return this.jobs.get(normalize(className));
  }

  get size(): number {
    return this.jobs.size;
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }
}

const normalize = (name: string) => (name.startsWith("::") ? name.slice(2) : name);
