// OS signals and Web UI signals reach the same quiet/stop/dump calls.

import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { handleRemoteSignal, type SignalTarget, trapSignals } from "../src/server/signals.js";

function recordingTarget(): SignalTarget & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    quiet: () => {
      calls.push("quiet");
    },
    stop: async () => {
      calls.push("stop");
    },
    dump: () => {
      calls.push("dump");
    },
  };
}

/** A logger that keeps its messages. */
function memoryLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe("handleRemoteSignal", () => {
  it("maps Sidekiq's signal names onto the target", () => {
    const target = recordingTarget();
    const { logger } = memoryLogger();
    for (const name of ["TSTP", "TERM", "INT", "TTIN", "INFO"]) handleRemoteSignal(name, target, logger);
    expect(target.calls).toEqual(["quiet", "stop", "stop", "dump", "dump"]);
  });

  it("logs and ignores names it does not know", () => {
    const target = recordingTarget();
    const { logger, lines } = memoryLogger();
    for (const name of ["USR2", "constructor", "__proto__", ""]) handleRemoteSignal(name, target, logger);
    expect(target.calls).toEqual([]);
    expect(lines.filter((l) => l.msg.includes("ignoring"))).toHaveLength(4);
  });

  it("logs a failing handler instead of throwing or leaving an unhandled rejection", async () => {
    const { logger, lines } = memoryLogger();
    const target: SignalTarget = {
      quiet: () => {
        throw new Error("sync");
      },
      stop: () => Promise.reject(new Error("async")),
      dump: () => {},
    };
    handleRemoteSignal("TSTP", target, logger);
    handleRemoteSignal("TERM", target, logger);
    await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.msg.includes("handler failed"))).toHaveLength(2);
  });
});

describe("trapSignals", () => {
  let untrap: (() => void) | undefined;
  afterEach(() => untrap?.());

  it("traps TSTP, TERM, INT and TTIN; a second stop signal is logged and ignored", () => {
    const target = recordingTarget();
    const { logger, lines } = memoryLogger();
    untrap = trapSignals(target, logger);
    // process.emit runs the listeners without delivering a real signal to the test runner.
    process.emit("SIGTSTP", "SIGTSTP");
    process.emit("SIGTTIN", "SIGTTIN");
    process.emit("SIGTERM", "SIGTERM");
    process.emit("SIGINT", "SIGINT");
    process.emit("SIGTERM", "SIGTERM");
    expect(target.calls).toEqual(["quiet", "dump", "stop"]);
    expect(lines.filter((l) => l.msg.includes("already stopping"))).toHaveLength(2);
  });

  it("untrap removes its listeners", () => {
    const signals = ["SIGTERM", "SIGINT", "SIGTSTP", "SIGTTIN"] as const;
    const before = signals.map((s) => process.listenerCount(s));
    const off = trapSignals(recordingTarget(), memoryLogger().logger);
    expect(signals.map((s) => process.listenerCount(s))).toEqual(before.map((n) => n + 1));
    off();
    expect(signals.map((s) => process.listenerCount(s))).toEqual(before);
  });
});
