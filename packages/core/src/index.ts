// @kiq/core: Sidekiq's Redis format for Node.

export type {
  ActiveJobArgument,
  ActiveJobValue,
  EncodeOptions,
  SerializedArgument,
} from "./activejob/arguments.js";
export { decodeArgument, decodeArguments, encodeArgument, encodeArguments } from "./activejob/arguments.js";
export { RubyBigDecimal } from "./activejob/big-decimal.js";
export { RubyDate } from "./activejob/date.js";
export type { ActiveJobContext, ActiveJobDefinition, ActiveJobHandler } from "./activejob/define.js";
export { defineActiveJob, isActiveJobDefinition } from "./activejob/define.js";
export type { DurationParts, DurationUnit } from "./activejob/duration.js";
export { RubyDuration } from "./activejob/duration.js";
export type { WrapOptions } from "./activejob/envelope.js";
export {
  activeJobClassName,
  isActiveJobItem,
  JOB_WRAPPER,
  SIDEKIQ_WRAPPER,
  wrapActiveJob,
} from "./activejob/envelope.js";
export { ActiveJobDeserializationError, ActiveJobSerializationError } from "./activejob/errors.js";
export type { GlobalIdParts } from "./activejob/global-id.js";
export { GlobalId } from "./activejob/global-id.js";
export type { RubyHashKind, RubyHashShape } from "./activejob/hash-keys.js";
export {
  isIndifferentAccess,
  isKeywordArguments,
  kwargs,
  rubyHashShape,
  symbolKeys,
  withIndifferentAccess,
  withSymbolKeys,
} from "./activejob/hash-keys.js";
export type { ActiveJobData, JobDataFields } from "./activejob/job-data.js";
export { readJobData, serializeJobData } from "./activejob/job-data.js";
export { RubyModule } from "./activejob/module.js";
export type { ActiveJobPush, ActiveJobPushed } from "./activejob/push.js";
export { pushActiveJob } from "./activejob/push.js";
export type { RailsVersion } from "./activejob/rails-version.js";
export { RAILS_VERSIONS } from "./activejob/rails-version.js";
export { RubyRange } from "./activejob/range.js";
export { SerializedObject } from "./activejob/serialized-object.js";
export { SERIALIZERS } from "./activejob/serializers.js";
export { RubySymbol } from "./activejob/symbol.js";
export type { RubyTimeClass } from "./activejob/time.js";
export { RubyTime } from "./activejob/time.js";
export { DeadSet } from "./api/dead-set.js";
export { JobRecord } from "./api/job-record.js";
export { JobSet } from "./api/job-set.js";
export { ProcessRecord } from "./api/process-record.js";
export { ProcessSet } from "./api/process-set.js";
export { Queue } from "./api/queue.js";
export { RetrySet } from "./api/retry-set.js";
export { ScheduledSet } from "./api/scheduled-set.js";
export { SortedEntry } from "./api/sorted-entry.js";
export type { ApiOptions, ApiSource, VersionedRedis } from "./api/source.js";
export type { StatName, StatsHistory, StatsSnapshot } from "./api/stats.js";
export { Stats } from "./api/stats.js";
export type { WorkRecord } from "./api/workers.js";
export { Workers } from "./api/workers.js";
export type { BulkItem, ClientContext, ClientMiddleware, ClientOptions } from "./client/client.js";
export { BULK_BATCH_SIZE, Client, DEFAULT_SIDEKIQ_VERSION } from "./client/client.js";
export type { JobOptions, OutgoingJob, PushItem } from "./client/job-options.js";
export {
  InvalidJobError,
  JobTimeoutError,
  KiqError,
  MalformedPayloadError,
  ShutdownError,
} from "./errors.js";
export type { Middleware } from "./middleware/chain.js";
export { Chain } from "./middleware/chain.js";
export type {
  FetcherContext,
  LifecycleEvent,
  Plugin,
  PluginHost,
  ServerPluginHost,
} from "./plugin/plugin.js";
export { definePlugin, keyspace } from "./plugin/plugin.js";
export type { ReleaseHandler, ReleaseReason } from "./plugin/release.js";
export { JobReleases } from "./plugin/release.js";
export type { RedisOptions } from "./redis/connection.js";
export { detectSidekiqVersion } from "./redis/detect-version.js";
export { legacyWorkersKey, QUEUES, queueKey, SCHEDULE, signalsKey, workKey } from "./redis/keys.js";
export type { ScriptDefinition } from "./redis/scripts.js";
export { withScripts } from "./redis/scripts.js";
export type { Fetcher, UnitOfWork } from "./server/fetcher.js";
export { BasicFetch, FETCH_TIMEOUT } from "./server/fetcher.js";
export type { HeartbeatOptions } from "./server/heartbeat.js";
export { BEAT_PAUSE, HEARTBEAT_TTL, Heartbeat } from "./server/heartbeat.js";
export type {
  JobContext,
  JobDefinition,
  JobDefinitionOptions,
  JobHandler,
  RetryDecision,
} from "./server/job.js";
export { currentJob, defineJob, Job } from "./server/job.js";
export type { KiqHealth, KiqOptions } from "./server/kiq.js";
export { DEFAULT_CONCURRENCY, DEFAULT_SHUTDOWN_TIMEOUT, Kiq } from "./server/kiq.js";
export type { CapsuleMode, ProcessInfo } from "./server/process-info.js";
export { capsuleMode, infoJson, KIQ_LABEL } from "./server/process-info.js";
export type { ServerContext, ServerMiddleware, UnknownJobPolicy } from "./server/processor.js";
export type { QueueWeight } from "./server/queues.js";
export { parseQueueArg, QueueList } from "./server/queues.js";
export type { DeathHandler } from "./server/retry.js";
export type { ScheduledPollerOptions } from "./server/scheduled.js";
export { ScheduledPoller } from "./server/scheduled.js";
export type { SignalTarget } from "./server/signals.js";
export { handleRemoteSignal, trapSignals } from "./server/signals.js";
export { KIQ_VERSION } from "./version.js";
export { decodeBacktrace, encodeBacktrace } from "./wire/backtrace.js";
export { generateJid, isJid } from "./wire/jid.js";
export type { JsonValue } from "./wire/json.js";
export { formatFloat, generateJson, parseJson } from "./wire/json.js";
export { Payload } from "./wire/payload.js";
export { RubyFloat } from "./wire/ruby-float.js";
export { jobItemProblem } from "./wire/schema.js";
export { decodeTimestamp, encodeTimestamp, nowMs, timestampSeconds } from "./wire/time.js";
export type { JobItem, SidekiqVersion } from "./wire/types.js";
