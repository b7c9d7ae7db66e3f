// What a process knows it holds in its working lists: every job a fetch moved there, until its ack
// or requeue is written. After a fetch connection drops, Redis may have run a fetch whose reply
// never arrived (ioredis then sends it again): the jobs it moved sit in a working list, unknown to
// the process. The entries of the working lists that are not held here are those strays.
// Counted by payload alone (one string, its hash cached by V8): a job's payload names its queue.

export class HeldJobs {
  private readonly counts = new Map<string, number>();

  add(payload: string): void {
    this.counts.set(payload, (this.counts.get(payload) ?? 0) + 1);
  }

  delete(payload: string): void {
    const count = this.counts.get(payload);
    if (count === undefined) return;
    if (count > 1) this.counts.set(payload, count - 1);
    else this.counts.delete(payload);
  }

  /** The entries of all the working lists beyond what is held. */
  strays<Entry>(entries: readonly Entry[], payloadOf: (entry: Entry) => string): Entry[] {
    const seen = new Map<string, number>();
    const strays: Entry[] = [];
    for (const entry of entries) {
      const payload = payloadOf(entry);
      const n = (seen.get(payload) ?? 0) + 1;
      seen.set(payload, n);
      if (n > (this.counts.get(payload) ?? 0)) strays.push(entry);
    }
    return strays;
  }
}
