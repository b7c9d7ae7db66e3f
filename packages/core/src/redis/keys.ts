// Sidekiq's key names, used bare: Sidekiq 7 dropped redis-namespace, and Ruby peers must find them.

export const QUEUES = "queues";
export const SCHEDULE = "schedule";
export const RETRY = "retry";
export const DEAD = "dead";
export const PROCESSES = "processes";
/** Lock (SET NX EX 60) so that one process per minute prunes `processes` (Sidekiq 6.5.2+). */
export const PROCESS_CLEANUP = "process_cleanup";

export const queueKey = (queue: string): string => `queue:${queue}`;

/** Running-jobs hash of a process (6.4.2+, 7, 8). */
export const workKey = (identity: string): string => `${identity}:work`;
/** Running-jobs hash as Sidekiq 6.4.1 and older name it. */
export const legacyWorkersKey = (identity: string): string => `${identity}:workers`;
/** Control commands for a process (TSTP, TERM, …), LPUSHed by the Web UI and API. */
export const signalsKey = (identity: string): string => `${identity}-signals`;
