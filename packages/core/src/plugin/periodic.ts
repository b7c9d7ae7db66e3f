// Periodic tasks on a worker's timers: each runs every `seconds` from startup until quiet, never
// overlapping itself; stop() waits for a run in progress so shutdown does not cut it off.

import type { Logger } from "pino";

interface Task {
  seconds: number;
  run: () => void | Promise<void>;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

export class PeriodicTasks {
  private readonly tasks: Task[] = [];
  private active = false;

  constructor(private readonly logger: Logger) {}

  add(seconds: number, run: () => void | Promise<void>): void {
    if (!(seconds > 0)) throw new RangeError(`a periodic task needs a period in seconds > 0, got ${seconds}`);
    const task: Task = { seconds, run };
    this.tasks.push(task);
    if (this.active) this.schedule(task);
  }

  start(): void {
    this.active = true;
    for (const task of this.tasks) this.schedule(task);
  }

  async stop(): Promise<void> {
    this.active = false;
    for (const task of this.tasks) clearTimeout(task.timer);
    await Promise.all(this.tasks.map((task) => task.running));
  }

  private schedule(task: Task): void {
    task.timer = setTimeout(() => {
      task.running = (async () => {
        try {
          await task.run();
        } catch (error) {
          this.logger.error({ err: error }, "periodic task failed");
        }
      })().finally(() => {
        task.running = undefined;
        if (this.active) this.schedule(task);
      });
    }, task.seconds * 1000);
    task.timer.unref();
  }
}
