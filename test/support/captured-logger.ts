// A pino logger whose JSON lines a test can read back, for asserting what a worker logged.

import { type Logger, pino } from "pino";

export interface CapturedLogger {
  logger: Logger;
  /** Every line logged so far, parsed. */
  lines: Record<string, unknown>[];
  /** The lines with this message. */
  withMsg(msg: string): Record<string, unknown>[];
}

export function capturedLogger(level = "info"): CapturedLogger {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines, withMsg: (msg) => lines.filter((line) => line.msg === msg) };
}
