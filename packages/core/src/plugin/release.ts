// Jobs that leave kiq other than by running to the end — deleted through the API, dead, or taken
// back from a dead process — may hold resources of other plugins (a unique lock). The plugin that
// removes or recovers a job announces it here; the plugins holding resources listen.

/** Why a job was released: it will never run ("deleted", "dead") or is about to run again ("recovered"). */
export type ReleaseReason = "deleted" | "dead" | "recovered";

/** A listener: `payload` is the job exactly as stored. */
export type ReleaseHandler = (payload: string, reason: ReleaseReason) => void | Promise<void>;

export class JobReleases {
  private readonly handlers: ReleaseHandler[] = [];

  add(handler: ReleaseHandler): void {
    this.handlers.push(handler);
  }

  /** How many listeners there are: with none, a remover need not even read what it removes. */
  get size(): number {
    return this.handlers.length;
  }

  /** Runs every listener in order; the first error is thrown after all have run. */
  async release(payload: string, reason: ReleaseReason): Promise<void> {
    let failure: unknown;
    for (const handler of this.handlers) {
      try {
        await handler(payload, reason);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
