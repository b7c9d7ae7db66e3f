// The key that says a process is alive: written at startup, refreshed every `interval` seconds
// with a TTL of `ttl`, deleted at a clean exit. Its own timer, not the periodic tasks (which stop
// at quiet): a quiet process still runs jobs and must not look dead.

import { expiryMs } from "./expiry.js";
import type { TrackerLogger as Logger, TrackerRedis } from "./host-types.js";

export class Liveness {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: TrackerRedis,
    readonly key: string,
    private readonly value: () => string,
    private readonly interval: number,
    private readonly ttl: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch((error) => this.logger.error({ err: error }, "tracker: heartbeat failed"));
    }, this.interval * 1000);
    this.timer.unref();
  }

  /** Stops beating and deletes the key, so the process' leftovers (if any) are recovered at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.redis.del(this.key);
  }

  private async beat(): Promise<void> {
    await this.redis.set(this.key, this.value(), "PX", expiryMs(this.ttl));
  }
}
