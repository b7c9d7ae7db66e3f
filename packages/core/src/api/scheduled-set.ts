// Jobs pushed with `at` (or `in`), scored by when they should run; the poller moves them to their
// queues when their time comes (Sidekiq's ScheduledSet). "Add to queue" runs one now.

import { SCHEDULE } from "../redis/keys.js";
import { JobSet } from "./job-set.js";
import type { ApiSource } from "./source.js";

export class ScheduledSet extends JobSet {
  constructor(source: ApiSource) {
    super(source, SCHEDULE);
  }
}
