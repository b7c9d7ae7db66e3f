import type { JsonValue } from "./json.js";

/** The Sidekiq versions whose wire format kiq writes (6 = 6.4.x, 7 = 7.x, 8 = 8.x). */
export type SidekiqVersion = 6 | 7 | 8;

/**
 * A Sidekiq job hash as stored in Redis. The named keys are Sidekiq's own (see docs/wire-format.md);
 * any other key belongs to someone else (a gem, Enterprise, the app) and is carried through untouched.
 */
export interface JobItem {
  class: string;
  args: JsonValue[];
  queue?: string;
  jid?: string;
  retry?: boolean | number;
  created_at?: number;
  enqueued_at?: number;
  retry_count?: number;
  failed_at?: number;
  retried_at?: number;
  error_message?: string;
  error_class?: string;
  error_backtrace?: string;
  backtrace?: boolean | number;
  retry_queue?: string;
  retry_for?: number;
  dead?: boolean;
  tags?: string[];
  wrapped?: string;
  [key: string]: JsonValue | undefined;
}
