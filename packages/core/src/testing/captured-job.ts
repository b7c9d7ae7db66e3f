// A pushed job as a worker would read it: the client's JSON parsed back without loss, so BigInt
// stays BigInt and a RubyFloat arrives as the number a worker gets.

import type { PushWrite } from "../client/push-interceptor.js";
import { parseJson } from "../wire/json.js";
import type { JobItem } from "../wire/types.js";

/** A job hash captured by fake mode (or run by inline mode): always with queue and jid. */
export interface CapturedJob extends JobItem {
  queue: string;
  jid: string;
  /** Epoch seconds a scheduled job was pushed for (kept in the hash, as Sidekiq's fake queue does). */
  at?: number;
}

/** The job hash a worker would read from what the client would have written. */
export function decodeWrite({ payload, at }: PushWrite): CapturedJob {
  const job = parseJson(payload) as CapturedJob;
  if (at !== undefined) job.at = at;
  return job;
}

/** Ruby ignores a leading "::" in a class name, and so does every lookup here. */
export function classKey(className: string): string {
  return className.startsWith("::") ? className.slice(2) : className;
}
