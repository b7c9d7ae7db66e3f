// Which conflict strategy applies when a lock is taken by another jid (sidekiq-unique-jobs 8.1.0's
// OnConflict + LockConfig): `on_client_conflict` / `on_server_conflict` first, then `on_conflict`
// (a name, or `{client:, server:}`), then the plugin's global `onConflict`. An unknown name acts as
// none (the job is dropped) after a warning, as in the gem.

import { KiqError } from "@kiq/core";
import type { UniqueItem } from "./prepare.js";

export const CONFLICT_STRATEGIES = ["log", "raise", "reject", "replace", "reschedule"] as const;

export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

/** A strategy per side, or one name for both. */
export type OnConflict = string | { client?: string; server?: string };

export type ConflictSide = "client" | "server";

/** Seconds a rescheduled job waits when its class sets no `schedule_in` (the gem's default). */
export const DEFAULT_SCHEDULE_IN = 5;

/** What `raise` throws: from `client.push` on the client, from perform (so the job retries) on the server. */
export class UniqueConflictError extends KiqError {
  override name = "UniqueConflictError";

  constructor(
    readonly jid: string,
    readonly digest: string,
  ) {
    super(`job ${jid} not unique: lock_digest ${digest} is held by another job`);
  }
}

function isConflictStrategy(value: unknown): value is ConflictStrategy {
  return typeof value === "string" && (CONFLICT_STRATEGIES as readonly string[]).includes(value);
}

function sideOf(onConflict: unknown, side: ConflictSide): unknown {
  if (onConflict !== null && typeof onConflict === "object" && !Array.isArray(onConflict))
    return (onConflict as Record<string, unknown>)[side];
  return onConflict;
}

/**
 * The strategy for `side`, or undefined for none. `warn` hears of a name that is no strategy
 * (then none applies).
 */
export function conflictStrategy(
  item: UniqueItem,
  side: ConflictSide,
  global: OnConflict | undefined,
  warn: (name: string) => void,
): ConflictStrategy | undefined {
  const perSide = item[side === "client" ? "on_client_conflict" : "on_server_conflict"];
  const onConflict = "on_conflict" in item ? item.on_conflict : global;
  const name = perSide ?? sideOf(onConflict, side);
  if (name === undefined || name === null || name === false) return undefined;
  if (isConflictStrategy(name)) return name;
  warn(String(name));
  return undefined;
}

/** `schedule_in` of the job (the gem reads it from the class options), else 5 s. */
export function scheduleIn(item: UniqueItem): number {
  const value = item.schedule_in;
  return typeof value === "number" && Number.isFinite(value) ? value : DEFAULT_SCHEDULE_IN;
}
