// gitlab-sidekiq-fetcher's keys (spec §3.2), so a Ruby fleet running that fetcher and a kiq fleet
// share one model: each process holds the jobs it fetched in `working:queue:<q>:<identity>` and
// proves it is alive with `reliable-fetcher-heartbeat-<identity, ':' → '-'>`; whoever finds a
// working list whose heartbeat is gone pushes its jobs back.

/** The prefix SCAN matches to find every process' working lists, Ruby's included. */
export const WORKING_LISTS_PATTERN = "working:queue:*";

/** `<hostname>:<pid>:<hex nonce>` (gitlab 0.8+, and kiq's own identity), after the queue key. */
const WORKING_LIST = /^working:(queue:.*):([^:]*:[0-9]*:[0-9a-f]*)$/;
/** The older `<hostname>:<pid>` identity. */
const LEGACY_WORKING_LIST = /^working:(queue:.*):([^:]*:[0-9]*)$/;

/** The working list that holds the jobs `identity` fetched from the queue list `queueKey` ("queue:<q>"). */
export function workingList(queueKey: string, identity: string): string {
  return `working:${queueKey}:${identity}`;
}

/** The key whose presence says `identity` is alive. */
export function heartbeatKey(identity: string): string {
  return `reliable-fetcher-heartbeat-${identity.replaceAll(":", "-")}`;
}

/** The queue key and owner of a working list, as the gem reads them; undefined for other keys. */
export function parseWorkingList(key: string): { queueKey: string; identity: string } | undefined {
  const match = WORKING_LIST.exec(key) ?? LEGACY_WORKING_LIST.exec(key);
  return match ? { queueKey: match[1] as string, identity: match[2] as string } : undefined;
}
