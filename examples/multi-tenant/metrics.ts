// A counter with labels, the shape of prom-client's Counter (`inc(labels)`), printed in Prometheus'
// text format. With prom-client, pass its counter to the worker instead.

export type Labels = Record<string, string>;

export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(readonly name: string) {}

  inc(labels: Labels): void {
    const key = JSON.stringify(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += 1;
    this.values.set(key, entry);
  }

  /** Every labelled value, e.g. [{ labels: { tenant: "101", outcome: "done" }, value: 12 }]. */
  entries(): { labels: Labels; value: number }[] {
    return [...this.values.values()];
  }

  /** `name{tenant="101",…} 12` lines. */
  toString(): string {
    return this.entries()
      .map(({ labels, value }) => {
        const shown = Object.entries(labels).map(([key, label]) => `${key}="${label}"`);
        return `${this.name}{${shown.join(",")}} ${value}`;
      })
      .sort()
      .join("\n");
  }
}
