// Failed jobs waiting for their next attempt, scored by when it is due (Sidekiq's RetrySet).

import { RETRY } from "../redis/keys.js";
import { JobSet } from "./job-set.js";
import type { ApiSource } from "./source.js";

export class RetrySet extends JobSet {
  constructor(source: ApiSource) {
    super(source, RETRY);
  }
}
