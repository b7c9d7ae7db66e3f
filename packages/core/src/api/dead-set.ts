// Jobs whose retries ran out ("the morgue"), scored by when they died (Sidekiq's DeadSet). Every
// add is trimmed as Sidekiq trims it: older than 180 days, and beyond the newest 9,999.

import { DEAD } from "../redis/keys.js";
import { queueMorgueTrim, sendToMorgue } from "../server/dead-set.js";
import { formatFloat, generateJson } from "../wire/json.js";
import { nowMs } from "../wire/time.js";
import type { JobItem } from "../wire/types.js";
import { JobSet } from "./job-set.js";
import type { ApiSource } from "./source.js";

export class DeadSet extends JobSet {
  constructor(source: ApiSource) {
    super(source, DEAD);
  }

  /**
   * Adds a job (its stored string, kept as it is, or a job hash, written as Ruby writes JSON) scored
   * now. Trimmed in the same MULTI unless `trim: false`. Unlike Ruby, no death handlers run here.
   */
  async kill(payload: string | JobItem, { trim = true }: { trim?: boolean } = {}): Promise<void> {
    const text = typeof payload === "string" ? payload : generateJson(payload, "job");
    const nowSeconds = nowMs() / 1000;
    if (trim) await sendToMorgue(this.context.redis, text, nowSeconds);
    else await this.context.redis.zadd(DEAD, formatFloat(nowSeconds), text);
  }

  /** Removes what is older than 180 days and what is beyond the newest 9,999. */
  async trim(): Promise<void> {
    const multi = this.context.redis.multi();
    queueMorgueTrim(multi, nowMs() / 1000);
    await multi.exec();
  }
}
