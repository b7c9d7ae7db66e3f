// The Sidekiq job around an ActiveJob: which wrapper class it names, where the ActiveJob class is,
// and the keys each adapter writes (Rails' own `:sidekiq` adapter, or Sidekiq's from 7.3.3 on).

import type { JobOptions, PushItem } from "../client/job-options.js";
import type { JobItem, SidekiqVersion } from "../wire/types.js";
import type { SerializedArgument } from "./arguments.js";
import type { ActiveJobData } from "./job-data.js";
import { type RailsVersion, railsAtLeast } from "./rails-version.js";

/** The wrapper Rails' adapter writes (and Sidekiq's adapter up to 7.x, as a subclass). */
export const JOB_WRAPPER = "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper";
/** The wrapper Sidekiq 8 writes (Ruby can run it from Sidekiq 7.3.3 on). */
export const SIDEKIQ_WRAPPER = "Sidekiq::ActiveJob::Wrapper";
/** Sidekiq 8's adapter loads only with ActiveJob 7.0+; with older Rails, Rails' own adapter writes the job. */
const SIDEKIQ_8_ADAPTER_RAILS: RailsVersion = "7.0";

const WRAPPERS: ReadonlySet<string> = new Set([JOB_WRAPPER, SIDEKIQ_WRAPPER]);
// Keys the adapter owns; a class's Sidekiq options cannot override them.
const ADAPTER_KEYS = ["class", "wrapped", "queue", "args", "at", "in", "jid"];

/** Whether a job hash is an ActiveJob wrapped for Sidekiq (either wrapper name). */
export function isActiveJobItem(item: Pick<JobItem, "class">): boolean {
  const name = item.class.startsWith("::") ? item.class.slice(2) : item.class;
  return WRAPPERS.has(name);
}

/** The ActiveJob class a wrapped job runs: `args[0].job_class` (what Ruby constantizes), else `wrapped`. */
export function activeJobClassName(item: Pick<JobItem, "class" | "args" | "wrapped">): string | undefined {
  if (!isActiveJobItem(item)) return undefined;
  const data = item.args[0];
  if (
    data !== null &&
    typeof data === "object" &&
    !Array.isArray(data) &&
    typeof data.job_class === "string"
  ) {
    return data.job_class;
  }
  return typeof item.wrapped === "string" ? item.wrapped : undefined;
}

export interface WrapOptions {
  sidekiqVersion: SidekiqVersion;
  rails: RailsVersion;
  /** The ActiveJob class's `sidekiq_options` (retry, backtrace, …), merged in as Sidekiq's client does. */
  sidekiqOptions?: JobOptions;
}

/** The push item the fleet's adapter would hand to Sidekiq's client for `data`. */
export function wrapActiveJob(data: ActiveJobData<SerializedArgument>, options: WrapOptions): PushItem {
  const item: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.sidekiqOptions ?? {})) {
    if (!ADAPTER_KEYS.includes(key) && value !== undefined) item[key] = value;
  }
  const { sidekiqVersion: version, rails } = options;
  // Sidekiq 6 has no adapter of its own; 7.3.3+ and 8 replace Rails' (8 only on Rails 7.0+)
  const railsAdapter = version === 6 || (version >= 8 && !railsAtLeast(rails, SIDEKIQ_8_ADAPTER_RAILS));
  const wrapper = version >= 8 && !railsAdapter ? SIDEKIQ_WRAPPER : JOB_WRAPPER;
  const args = [data];
  // Rails' adapter pushes { class, wrapped, queue, args }; Sidekiq's `Wrapper.set(wrapped:, queue:)
  // .perform_async(data)` gives { wrapped, queue, args, class } (queue stays where the defaults put it)
  if (railsAdapter)
    Object.assign(item, { class: wrapper, wrapped: data.job_class, queue: data.queue_name, args });
  else Object.assign(item, { wrapped: data.job_class, queue: data.queue_name, args, class: wrapper });
  return item as unknown as PushItem;
}
