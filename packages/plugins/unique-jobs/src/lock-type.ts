// The gem's lock types (lib/sidekiq_unique_jobs/lock/*.rb), the other names its config accepts for
// them, and which side takes the first lock.

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

/** The other names of the lock types in the gem's default config (SidekiqUniqueJobs::Config). */
export const LOCK_ALIASES: Readonly<Record<string, LockType>> = {
  while_enqueued: "until_executing",
  until_completed: "until_executed",
  until_performed: "until_executed",
  until_processed: "until_executed",
  until_successfully_completed: "until_executed",
  around_perform: "while_executing",
  while_busy: "while_executing",
  while_working: "while_executing",
  // while_executing whose server conflict strategy is always reject
  while_executing_reject: "while_executing",
};

/** The lock type a job's `lock` names (directly or by an alias), or undefined: not a unique job. */
export function lockTypeOf(value: unknown): LockType | undefined {
  if (isLockType(value)) return value;
  return typeof value === "string" && Object.hasOwn(LOCK_ALIASES, value) ? LOCK_ALIASES[value] : undefined;
}

/** Types the client locks at push; while_executing locks only on the server. */
export function locksOnClient(type: LockType): boolean {
  return type !== "while_executing";
}
