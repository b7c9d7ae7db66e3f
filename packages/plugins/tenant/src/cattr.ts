// Sidekiq::CurrentAttributes in the payload (`cattr`, or `cattr_1`… for further persisted classes),
// in the shape each Sidekiq version writes and reads:
//   6.4   a JSON object of the attributes, written on every push and merged into an existing one;
//   7.x   the same object, written only when the key is absent (retries keep the original);
//   8.x   ActiveJob-serialized [key, value] pairs, keys as Symbols; same write rule as 7.

import {
  decodeArgument,
  encodeArgument,
  GlobalId,
  type JsonValue,
  type OutgoingJob,
  RubySymbol,
  type SidekiqVersion,
} from "@kiq/core";
import { isTenantId, type TenantId } from "./current-tenant.js";

/** Which payload key and attribute hold the tenant. */
export interface CattrLocation {
  /** "cattr" for the first class given to `persist`, "cattr_1" for the second… Default "cattr". */
  key: string;
  /** The CurrentAttributes attribute, default "tenant_id". */
  attribute: string;
}

/** The tenant in a `cattr` value of any version's shape, or undefined. */
export function readCattr(value: JsonValue | undefined, attribute: string): TenantId | undefined {
  if (Array.isArray(value)) return readPairs(value, attribute);
  if (value !== null && typeof value === "object") return tenantValue(value[attribute]);
  return undefined;
}

/** Writes the tenant into a job being pushed, as the fleet's Sidekiq version's Save middleware would. */
export function writeCattr(
  job: OutgoingJob,
  { key, attribute }: CattrLocation,
  tenant: TenantId,
  version: SidekiqVersion,
): void {
  const existing = job[key];
  if (version === 6) {
    // 6.4 merges the current attributes into a cattr the job already has (theirs win).
    const merged = existing !== null && typeof existing === "object" && !Array.isArray(existing);
    job[key] = merged ? { ...existing, [attribute]: tenant } : { [attribute]: tenant };
  } else if (existing === undefined) {
    job[key] =
      version === 7 ? { [attribute]: tenant } : [encodeArgument([new RubySymbol(attribute), tenant])];
  }
}

/** 8.x: the pair whose key is the attribute (a Symbol, or a String if someone wrote one). */
function readPairs(pairs: JsonValue[], attribute: string): TenantId | undefined {
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) continue;
    let decoded: unknown;
    try {
      decoded = decodeArgument(pair);
    } catch {
      continue; // an attribute of a type kiq cannot read is not the tenant
    }
    const [name, value] = decoded as [unknown, unknown];
    if (String(name) === attribute && (name instanceof RubySymbol || typeof name === "string"))
      return tenantValue(value);
  }
  return undefined;
}

/** A scalar id, or the id of a record ActiveJob passed as a GlobalID. */
export function tenantValue(value: unknown): TenantId | undefined {
  if (value instanceof GlobalId) return value.modelId;
  return isTenantId(value) ? value : undefined;
}
