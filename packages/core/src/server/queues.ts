// The queues a process fetches from, in Sidekiq's two modes: strict (no weights: earlier queues
// always win) and weighted (each fetch shuffles a list where a queue appears `weight` times, so a
// queue's chance of going first is proportional to its weight and none starves).

import { KiqError } from "../errors.js";
import { queueKey } from "../redis/keys.js";

export interface QueueWeight {
  name: string;
  /** 0 means no weight given. */
  weight: number;
}

/** Parses Sidekiq's `-q name[,weight]` form. */
export function parseQueueArg(arg: string): QueueWeight {
  const [name = "", weightText] = arg.split(",");
  const weight = weightText === undefined ? 0 : Number(weightText);
  if (name.trim() === "" || !Number.isInteger(weight) || weight < 0) {
    throw new KiqError(`bad queue "${arg}": expected NAME or NAME,WEIGHT with an integer weight ≥ 0`);
  }
  return { name: name.trim(), weight };
}

export class QueueList {
  readonly entries: readonly QueueWeight[];
  /** Strict order: every weight is 0. */
  readonly strict: boolean;
  private readonly strictKeys: string[];
  private readonly repeated: string[];

  constructor(queues: readonly (string | QueueWeight)[]) {
    if (queues.length === 0) throw new KiqError("a worker needs at least one queue");
    const merged = new Map<string, number>();
    for (const q of queues) {
      const entry = typeof q === "string" ? parseQueueArg(q) : q;
      merged.set(entry.name, entry.weight);
    }
    this.entries = [...merged].map(([name, weight]) => ({ name, weight }));
    this.strict = this.entries.every((e) => e.weight === 0);
    this.strictKeys = this.entries.map((e) => queueKey(e.name));
    this.repeated = this.entries.flatMap((e) => Array<string>(Math.max(e.weight, 1)).fill(queueKey(e.name)));
  }

  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** The queue keys in the order to try for one fetch. */
  fetchOrder(): string[] {
    if (this.strict) return this.strictKeys;
    const keys = this.repeated.slice();
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
    }
    return [...new Set(keys)];
  }
}
