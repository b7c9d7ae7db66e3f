/** Base class of every error kiq throws on purpose. */
export class KiqError extends Error {
  override name = "KiqError";
}

/** A job that cannot be pushed as given; nothing was written to Redis. */
export class InvalidJobError extends KiqError {
  override name = "InvalidJobError";
}

/** A stored payload kiq cannot read (bad JSON, or a job hash without `class` or `args`). */
export class MalformedPayloadError extends KiqError {
  override name = "MalformedPayloadError";
}

/** A job ran longer than its `timeout` option. */
export class JobTimeoutError extends KiqError {
  override name = "JobTimeoutError";
}

/** The worker shut down before the job finished; the job was pushed back to its queue. */
export class ShutdownError extends KiqError {
  override name = "ShutdownError";
}
