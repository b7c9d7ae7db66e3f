// Signals, from the OS or from the Web UI: Sidekiq's Quiet/Stop buttons LPUSH a signal name onto
// `<identity>-signals`, the heartbeat pops it, and Ruby raises it in itself. kiq maps both sources
// onto one table so a button and `kill -TSTP` take the same path.

import { type Logger, pino } from "pino";

/** What a signal can ask of a process. */
export interface SignalTarget {
  /** Stop fetching new jobs; running jobs finish (TSTP). */
  quiet(): void | Promise<void>;
  /** Shut down (TERM, INT). */
  stop(): void | Promise<void>;
  /** Log what the process is doing (TTIN; INFO on 8.x). */
  dump(): void;
}

type Action = "quiet" | "stop" | "dump";

/** Sidekiq's signal names (as the Web UI and API push them, without "SIG") and what each does. */
const ACTIONS: Readonly<Record<string, Action>> = {
  TSTP: "quiet",
  TERM: "stop",
  INT: "stop",
  TTIN: "dump",
  INFO: "dump", // 8.x only; harmless to accept everywhere
};

/** The OS signals a kiq process traps (SIGINFO does not exist on Linux). */
const TRAPPED = ["SIGTSTP", "SIGTERM", "SIGINT", "SIGTTIN"] as const;

let fallbackLogger: Logger | undefined;
const defaultLogger = (): Logger => {
  fallbackLogger ??= pino({ name: "kiq" });
  return fallbackLogger;
};

/** Acts on a signal name popped from `<identity>-signals`; unknown names are logged and ignored. */
export function handleRemoteSignal(
  name: string,
  target: SignalTarget,
  logger: Logger = defaultLogger(),
): void {
  const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  if (action === undefined) {
    logger.warn({ signal: name }, `no ${name} signal handler registered, ignoring`);
    return;
  }
  perform(action, name, target, logger);
}

/**
 * Traps SIGTSTP (quiet), SIGTERM and SIGINT (stop) and SIGTTIN (dump) for `target`. A second
 * SIGTERM/SIGINT while stopping is logged and ignored. Returns the function that removes the traps.
 */
export function trapSignals(target: SignalTarget, logger: Logger = defaultLogger()): () => void {
  let stopping = false;
  const handlers = TRAPPED.map((signal) => {
    const name = signal.slice("SIG".length);
    const handler = () => {
      if (ACTIONS[name] === "stop") {
        if (stopping) {
          logger.warn({ signal: name }, `received ${name} while already stopping, ignoring`);
          return;
        }
        stopping = true;
      }
      handleRemoteSignal(name, target, logger);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

function perform(action: Action, name: string, target: SignalTarget, logger: Logger): void {
  switch (action) {
    case "quiet":
      logger.info({ signal: name }, `received ${name}, no longer accepting new work`);
      settle(() => target.quiet(), name, logger);
      return;
    case "stop":
      logger.info({ signal: name }, `received ${name}, shutting down`);
      settle(() => target.stop(), name, logger);
      return;
    case "dump":
      settle(() => target.dump(), name, logger);
      return;
  }
}

/** Runs a handler so neither a throw nor a rejected promise escapes a signal callback. */
function settle(run: () => void | Promise<void>, name: string, logger: Logger): void {
  const fail = (err: unknown) => logger.error({ err, signal: name }, `${name} handler failed`);
  try {
    const result = run();
    if (result instanceof Promise) result.catch(fail);
  } catch (err) {
    fail(err);
  }
}
