// Sidekiq's key names. There is no namespace (Sidekiq 7 dropped redis-namespace); a prefix, if
// wanted, is ioredis' `keyPrefix` option, which applies to every command kiq sends.

export const QUEUES = "queues";
export const SCHEDULE = "schedule";
export const RETRY = "retry";
export const DEAD = "dead";
export const PROCESSES = "processes";

export const queueKey = (queue: string): string => `queue:${queue}`;
