// The tracker's times are seconds and may be fractional (heartbeatTtl 1.5, recoveryInterval 0.2),
// which `SET … EX` rejects, so its keys expire in milliseconds (PX). Ruby's gems only ask whether
// the heartbeat and lock keys exist, so the unit does not show to them.

/** `seconds` as a PX argument: whole milliseconds, at least 1. */
export function expiryMs(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}
