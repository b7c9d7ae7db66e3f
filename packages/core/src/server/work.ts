// The jobs this process is running right now, as the heartbeat publishes them in the
// running-jobs hash (`<identity>:work`, `<identity>:workers` in 6.4.1) for the Web UI's Busy page.

export interface Work {
  /** Slot id, the hash field. */
  tid: string;
  /** The queue the job was fetched from. */
  queue: string;
  /** The job's payload string exactly as fetched. */
  payload: string;
  /** Epoch seconds (Integer) when it started. */
  runAt: number;
}

/** Ruby's value for one running job: `payload` is the raw JSON string, double-encoded. */
export function workJson(work: Work): string {
  return `{"queue":${JSON.stringify(work.queue)},"payload":${JSON.stringify(work.payload)},"run_at":${work.runAt}}`;
}
