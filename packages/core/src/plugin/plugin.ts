// The plugin contract: a plugin is a function of (host, options), installed with `kiq.use()` or
// `client.use()`, that extends kiq only through the host it is given. The four plugin packages
// (unique jobs, cron, tracker, tenant) are built on exactly this and on nothing private.

import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ClientContext } from "../client/client.js";
import type { PushItem } from "../client/job-options.js";
import { KiqError } from "../errors.js";
import type { Chain } from "../middleware/chain.js";
import type { Fetcher } from "../server/fetcher.js";
import type { ServerContext } from "../server/processor.js";
import type { QueueList } from "../server/queues.js";
import type { JobRegistry } from "../server/registry.js";
import type { DeathHandler } from "../server/retry.js";
import type { SidekiqVersion } from "../wire/types.js";
import type { ReleaseHandler, ReleaseReason } from "./release.js";

/** What every host offers: a client, or a worker (which pushes jobs too). */
interface HostBase {
  /** The host's command connection. A plugin keeps its own keys under its own namespace (see keyspace()). */
  readonly redis: Redis;
  readonly logger: Logger;
  /** The Sidekiq version whose format the host writes. */
  sidekiqVersion(): Promise<SidekiqVersion>;
  /** Client middleware: runs for every job pushed through this host. */
  readonly clientMiddleware: Chain<ClientContext>;
  /** Pushes a job through the host's client, its middleware included (null when a middleware stopped it). */
  push(item: PushItem): Promise<string | null>;
  /** Listens for jobs leaving kiq without finishing: deleted through the API, dead, or recovered. */
  onJobReleased(handler: ReleaseHandler): void;
  /** Announces a released job to every listener (a plugin that recovers or removes jobs calls it). */
  releaseJob(payload: string, reason: ReleaseReason): Promise<void>;
}

/** A Client's host. */
export interface ClientPluginHost extends HostBase {
  readonly kind: "client";
}

/** Lifecycle events of a worker; "beat" fires after each heartbeat, "heartbeat" after the first. */
export type LifecycleEvent = "startup" | "quiet" | "shutdown" | "heartbeat" | "beat";

/** What a fetch strategy is built from. */
export interface FetcherContext {
  /** The worker's command connection (acks, requeues, CLIENT UNBLOCK). */
  redis: Redis;
  /** A connection of the fetcher's own for pops; the worker drops it at exit. */
  popper: Redis;
  queues: QueueList;
  /** This process' identity (`host:pid:nonce`). */
  identity: string;
  logger: Logger;
}

/** A worker's host: everything a client host offers, plus the server's extension points. */
export interface ServerPluginHost extends HostBase {
  readonly kind: "server";
  /** This process' identity (`host:pid:nonce`), as its heartbeat writes it. */
  readonly identity: string;
  /** Server middleware: runs around every job this worker performs. */
  readonly serverMiddleware: Chain<ServerContext>;
  /** Runs `listener` on a lifecycle event; errors are logged, not thrown. */
  on(event: LifecycleEvent, listener: () => void | Promise<void>): void;
  /** Called when a job will not run again (dead set, discarded, or `retry: false`). */
  onDeath(handler: DeathHandler): void;
  /** Runs `task` every `seconds` on the worker's timers, from startup until quiet; a running task is awaited at shutdown. */
  every(seconds: number, task: () => void | Promise<void>): void;
  /** Replaces the fetch strategy (one plugin at most may). */
  useFetcher(factory: (context: FetcherContext) => Fetcher): void;
  /** Registers jobs, as `kiq.register` does. */
  register(...jobs: Parameters<JobRegistry["register"]>): void;
}

/** What a plugin is given: check `kind` to use the server's extension points. */
export type PluginHost = ClientPluginHost | ServerPluginHost;

/**
 * A plugin. Give it a `pluginName` (definePlugin does) so errors and logs can name it. The host's
 * `kind` tells a plugin used on both sides which one it is on.
 */
export type Plugin<Options = void> = ((
  host: PluginHost | ServerPluginHost,
  options: Options,
) => void | Promise<void>) & {
  pluginName?: string;
};

/** Names a plugin function. */
export function definePlugin<Options = void>(
  name: string,
  install: (host: PluginHost, options: Options) => void | Promise<void>,
): Plugin<Options> {
  return Object.assign(install, { pluginName: name });
}

/** Key names under a plugin's own namespace: `keyspace("kiq-tracker")("jobs", id)` → `kiq-tracker:jobs:<id>`. */
export function keyspace(namespace: string): (...parts: (string | number)[]) => string {
  return (...parts) => [namespace, ...parts].join(":");
}

/** Installs plugins in order, naming the one that failed. */
export async function installPlugins(
  host: PluginHost,
  plugins: readonly { plugin: Plugin<unknown>; options: unknown }[],
): Promise<void> {
  for (const { plugin, options } of plugins) {
    try {
      await plugin(host, options);
    } catch (error) {
      const name = plugin.pluginName ?? (plugin.name || "a plugin");
      throw new KiqError(`plugin ${name} failed to install: ${(error as Error).message}`, { cause: error });
    }
  }
}
