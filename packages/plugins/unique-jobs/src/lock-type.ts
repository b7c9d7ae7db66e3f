// The gem's lock types (lib/sidekiq_unique_jobs/lock/*.rb) and which side takes the first lock.

export const LOCK_TYPES = [
  "until_executing",
  "until_executed",
  "until_expired",
  "while_executing",
  "until_and_while_executing",
] as const;

export type LockType = (typeof LOCK_TYPES)[number];

export function isLockType(value: unknown): value is LockType {
  return typeof value === "string" && (LOCK_TYPES as readonly string[]).includes(value);
}

/** Types the client locks at push; while_executing locks only on the server. */
export function locksOnClient(type: LockType): boolean {
  return type !== "while_executing";
}
