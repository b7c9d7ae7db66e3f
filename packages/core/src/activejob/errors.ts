// ActiveJob's own errors, named as Ruby names them so the Web UI shows what a Rails worker would.

import { InvalidJobError, KiqError } from "../errors.js";

/** An argument ActiveJob cannot serialize (Ruby raises this from `perform_later`); nothing was written. */
export class ActiveJobSerializationError extends InvalidJobError {
  override name = "ActiveJob::SerializationError";
}

/** A stored argument or job hash that cannot be read back; the job fails (and retries) as in Ruby. */
export class ActiveJobDeserializationError extends KiqError {
  override name = "ActiveJob::DeserializationError";
}
