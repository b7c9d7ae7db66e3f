// Turns whatever a handler threw into the fields Sidekiq stores and the Web UI shows:
// error_class, error_message (at most 10,000 characters) and backtrace frames.

/** Sidekiq keeps the first 10,000 characters of a message. */
export const MAX_ERROR_MESSAGE = 10_000;

export interface Failure {
  error: Error;
  errorClass: string;
  errorMessage: string;
  frames: string[];
}

export function describeFailure(thrown: unknown): Failure {
  const error = thrown instanceof Error ? thrown : nonError(thrown);
  const named = error.name && error.name !== "Error" ? error.name : error.constructor?.name;
  return {
    error,
    errorClass: named || "Error",
    errorMessage: (error.message ?? "").slice(0, MAX_ERROR_MESSAGE),
    frames: stackFrames(error),
  };
}

/** A thrown non-Error (a string, an object…) becomes an Error that says what was thrown. */
function nonError(value: unknown): Error {
  let shown: string;
  try {
    shown = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = String(value);
  }
  const error = new Error(`a non-Error value was thrown: ${shown}`);
  error.name = "NonErrorThrown";
  return error;
}

function stackFrames(error: Error): string[] {
  if (typeof error.stack !== "string") return [];
  return error.stack
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .map((line) => line.trim().slice(3));
}
