// Sidekiq's key names, used bare: Sidekiq 7 dropped redis-namespace, and Ruby peers must find them.

export const QUEUES = "queues";
export const SCHEDULE = "schedule";
export const RETRY = "retry";
export const DEAD = "dead";
export const PROCESSES = "processes";

export const queueKey = (queue: string): string => `queue:${queue}`;
