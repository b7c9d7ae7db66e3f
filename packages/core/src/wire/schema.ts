// The shape of a Sidekiq job hash, checked once per fetched job by a validator compiled once.

import { Ajv } from "ajv";
import type { JobItem } from "./types.js";

const timestamp = { type: "number" };

const jobSchema = {
  type: "object",
  required: ["class", "args"],
  properties: {
    class: { type: "string", minLength: 1 },
    args: { type: "array" },
    queue: { type: "string", minLength: 1 },
    jid: { type: "string", minLength: 1 },
    retry: { type: ["boolean", "integer"] },
    retry_count: { type: "integer", minimum: 0 },
    backtrace: { type: ["boolean", "integer"] },
    retry_queue: { type: "string", minLength: 1 },
    retry_for: { type: "number", minimum: 0 },
    dead: { type: "boolean" },
    tags: { type: "array", items: { type: "string" } },
    wrapped: { type: "string" },
    created_at: timestamp,
    enqueued_at: timestamp,
    failed_at: timestamp,
    retried_at: timestamp,
  },
} as const;

const validate = new Ajv({ allErrors: false, allowUnionTypes: true }).compile<JobItem>(jobSchema);

/** Why `item` is not a usable job hash, or undefined when it is. */
export function jobItemProblem(item: unknown): string | undefined {
  if (validate(item)) return undefined;
  const error = validate.errors?.[0];
  if (!error) return "invalid job hash";
  const where = error.instancePath ? `"${error.instancePath.slice(1).replaceAll("/", ".")}"` : "job hash";
  return `${where} ${error.message ?? "is invalid"}`;
}
