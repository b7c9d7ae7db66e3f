// What both sides share: the job class, its unique lock, and where each run is recorded in Redis
// (so main.ts and the test can check that every invoice was generated exactly once).

export const INVOICE = "Invoices::Generate";
export const QUEUE = "invoices";
/** How long one invoice takes. */
export const JOB_SECONDS = Number(process.env.ORPHAN_JOB_SECONDS ?? 2);

/** sidekiq-unique-jobs' options: one job per invoice until it has run; the lock outlives any crash by far. */
export const UNIQUE = { lock: "until_executed", lock_ttl: 3600 } as const;

/** The tracker's intervals, shortened so a dead worker's jobs come back within seconds. */
export const TRACKER = {
  heartbeatInterval: 1, // the worker says it is alive every second…
  heartbeatTtl: 3, // …and counts as dead 3 s after its last beat (default 60 s)
  recoveryInterval: 1, // a live worker looks for dead ones' jobs every second (default 10 s)
};

/** Redis lists of `{ jid, invoice, pid, at }`: each run's start, and each invoice generated. */
export const STARTED = "orphan-recovery:started";
export const GENERATED = "orphan-recovery:generated";
/** When main.ts killed worker 1 (epoch ms). */
export const KILLED = "orphan-recovery:killed";

export interface Run {
  jid: string;
  invoice: number;
  pid: number;
  at: number;
}

export const invoiceJob = (invoice: number) => ({ class: INVOICE, queue: QUEUE, args: [invoice], ...UNIQUE });
