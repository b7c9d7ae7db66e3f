// How a process names itself in Redis: `<hostname>:<pid>:<nonce>`, as Sidekiq does, so the Web UI
// shows `hostname:pid` and its Quiet/Stop buttons reach the process through `<identity>-signals`.

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** Sidekiq uses the DYNO variable (Heroku) before the OS hostname. */
export function processHostname(): string {
  return process.env.DYNO ?? hostname();
}

export function processIdentity(host = processHostname()): string {
  return `${host}:${process.pid}:${randomBytes(6).toString("hex")}`;
}

let nextTid = 0;

/**
 * A short id per job slot, used as the field name in the running-jobs hash (Ruby uses a base-36
 * thread id; any short unique string works).
 */
export function slotTid(): string {
  nextTid += 1;
  return `${process.pid.toString(36)}${nextTid.toString(36)}`;
}
