// The kiq server process (Sidekiq's launcher): fetches and runs jobs with `concurrency` slots,
// polls the schedule and retry sets, beats so the Web UI lists it, and shuts down without losing
// a job: stop fetching, wait up to `timeout`, push unfinished jobs back, then fire their signals.

import { basename } from "node:path";
import { Redis } from "ioredis";
import { type Logger, pino } from "pino";
import { Client } from "../client/client.js";
import { KiqError } from "../errors.js";
import { Chain } from "../middleware/chain.js";
import { PeriodicTasks } from "../plugin/periodic.js";
import {
  type FetcherContext,
  installPlugins,
  type LifecycleEvent,
  type Plugin,
  type ServerPluginHost,
} from "../plugin/plugin.js";
import {
  type ConnectionWatch,
  DEFAULT_REDIS_URL,
  type RedisOptions,
  watchConnection,
} from "../redis/connection.js";
import { detectSidekiqVersion } from "../redis/detect-version.js";
import type { SidekiqVersion } from "../wire/types.js";
import { BasicFetch, FETCH_TIMEOUT, type Fetcher } from "./fetcher.js";
import { Heartbeat } from "./heartbeat.js";
import { processHostname, processIdentity } from "./identity.js";
import { Manager } from "./manager.js";
import type { ProcessInfo } from "./process-info.js";
import { Processor, type ServerContext, type UnknownJobPolicy } from "./processor.js";
import { QueueList, type QueueWeight } from "./queues.js";
import { JobRegistry } from "./registry.js";
import { type DeathHandler, JobRetry } from "./retry.js";
import { ScheduledPoller } from "./scheduled.js";
import { handleRemoteSignal, trapSignals } from "./signals.js";
import { ProcessStats } from "./stats.js";

/** Sidekiq 7's default number of concurrent jobs. */
export const DEFAULT_CONCURRENCY = 5;
/** Seconds to wait for running jobs at shutdown before pushing them back (Sidekiq's -t). */
export const DEFAULT_SHUTDOWN_TIMEOUT = 25;
/** Seconds interrupted jobs get to honour their AbortSignal before the process lets go of them. */
export const INTERRUPT_GRACE = 3;
/** Seconds the exit's last Redis writes (stats, leaving `processes`) may take when Redis is away. */
export const EXIT_WRITE_TIMEOUT = 3;
/** The version assumed when no Ruby process is alive to ask. */
export const DEFAULT_SERVER_VERSION: SidekiqVersion = 7;

export interface KiqOptions extends RedisOptions {
  /** Jobs run at once. Default 5. */
  concurrency?: number;
  /** Queue names, in strict order, or with weights (`"critical,3"` or `{ name, weight }`). Default ["default"]. */
  queues?: (string | QueueWeight)[];
  /** Seconds to wait for running jobs at shutdown. Default 25. */
  timeout?: number;
  /** Shown in the Web UI beside the process; default the current directory's name, as Sidekiq's CLI does. */
  tag?: string;
  /** Extra labels shown in the Web UI ("kiq" is always added). */
  labels?: string[];
  /** Wire format to write; default "detect": the oldest live Ruby Sidekiq's, else 7. */
  sidekiqVersion?: SidekiqVersion | "detect";
  /** Retries for jobs with `retry: true`. Default 25. */
  maxRetries?: number;
  /** Jobs whose class has no handler here: "retry" (default, fails like Ruby's NameError) or { queue } to hand them to Ruby. */
  onUnknownJob?: UnknownJobPolicy;
  /** Seconds between scheduled-set polls across the fleet; default Sidekiq's 5 × process count. */
  pollIntervalAverage?: number;
  /** Heartbeat period in ms; default the Sidekiq version's (5 s for 6, 10 s for 7 and 8). */
  heartbeatInterval?: number;
  logger?: Logger;
  /** Jobs to register (see defineJob and Job). */
  jobs?: Parameters<JobRegistry["register"]>;
}

type Listener = () => void | Promise<void>;

/** What `kiq.health()` reports. */
export interface KiqHealth {
  running: boolean;
  quiet: boolean;
  busy: number;
  /** The command connection's state ("ready" when all is well). */
  redis: string;
  /** Why the worker cannot fetch right now (Redis unreachable, a failing fetch), else undefined. */
  fetchError: string | undefined;
  /** Epoch ms of the first failure behind `fetchError` (undefined while a first connect is pending). */
  fetchErrorSince: number | undefined;
}

export class Kiq {
  readonly registry = new JobRegistry();
  /** Server middleware, run around every job (Sidekiq's server middleware). */
  readonly middleware = new Chain<ServerContext>();
  readonly logger: Logger;
  readonly identity: string;
  private readonly deathHandlers: DeathHandler[] = [];
  private readonly plugins: { plugin: Plugin<unknown>; options: unknown }[] = [];
  private readonly periodic: PeriodicTasks;
  private fetcherFactory: ((context: FetcherContext) => Fetcher) | undefined;
  private pushClient: Client | undefined;
  private readonly listeners = new Map<LifecycleEvent, Listener[]>();
  private readonly stats = new ProcessStats();
  private readonly queues: QueueList;
  private readonly concurrency: number;
  private connections: { redis: Redis; blocking: Redis; owned: boolean } | undefined;
  private manager: Manager | undefined;
  private heartbeat: Heartbeat | undefined;
  private poller: ScheduledPoller | undefined;
  private version: SidekiqVersion | undefined;
  private quieting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private stopped: Promise<void>;
  private watched: ConnectionWatch[] = [];
  private resolveStopped!: () => void;

  constructor(private readonly options: KiqOptions = {}) {
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new KiqError(`concurrency must be an integer ≥ 1, got ${String(options.concurrency)}`);
    }
    this.queues = new QueueList(options.queues ?? ["default"]);
    this.logger = options.logger ?? pino();
    this.identity = processIdentity();
    this.periodic = new PeriodicTasks(this.logger);
    if (options.jobs) this.register(...options.jobs);
    this.stopped = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
  }

  /** Registers jobs by their Sidekiq class names. */
  register(...jobs: Parameters<JobRegistry["register"]>): this {
    this.registry.register(...jobs);
    return this;
  }

  /** Adds a death handler: called when a job will not run again (dead set, discarded, or retry: false). */
  onDeath(handler: DeathHandler): this {
    this.deathHandlers.push(handler);
    return this;
  }

  /** Installs a plugin when the worker starts (in the order given), as Fastify's `register` does. */
  use<Options>(plugin: Plugin<Options>, options?: Options): this {
    if (this.connections) throw new KiqError("plugins must be added before kiq starts");
    this.plugins.push({ plugin: plugin as Plugin<unknown>, options });
    return this;
  }

  /**
   * A Client on this worker's connection and format, for jobs that push jobs. Its client
   * middleware is the one plugins add on the worker (available after start).
   */
  get client(): Client {
    if (!this.pushClient) throw new KiqError("kiq is not started");
    return this.pushClient;
  }

  /** Lifecycle hooks, as Sidekiq's `on(:startup)` and friends; "beat" fires after every heartbeat. */
  on(event: LifecycleEvent, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  /** The Sidekiq version whose format this process writes (known once started). */
  get sidekiqVersion(): SidekiqVersion | undefined {
    return this.version;
  }

  /** The connection kiq uses for commands (after start). */
  get redis(): Redis {
    if (!this.connections) throw new KiqError("kiq is not started");
    return this.connections.redis;
  }

  async start(): Promise<void> {
    if (this.connections) throw new KiqError("kiq is already started");
    const connections = this.connect();
    this.connections = connections;
    const { redis, blocking } = connections;
    const configured = this.options.sidekiqVersion ?? "detect";
    const version =
      configured === "detect" ? ((await detectSidekiqVersion(redis)) ?? DEFAULT_SERVER_VERSION) : configured;
    this.version = version;
    this.pushClient = new Client({ redis, sidekiqVersion: version, logger: this.logger });
    await installPlugins(this.pluginHost(redis, version, this.pushClient), this.plugins);
    const fetcherContext = {
      redis,
      popper: blocking,
      queues: this.queues,
      identity: this.identity,
      logger: this.logger,
    };
    const fetcher: Fetcher =
      this.fetcherFactory?.(fetcherContext) ?? new BasicFetch(redis, blocking, this.queues);
    const retry = new JobRetry({
      redis,
      sidekiqVersion: version,
      logger: this.logger,
      maxRetries: this.options.maxRetries,
      deathHandlers: this.deathHandlers,
      releases: this.pushClient.releases,
    });
    const processor = new Processor({
      redis,
      registry: this.registry,
      middleware: this.middleware,
      retry,
      stats: this.stats,
      fetcher,
      logger: this.logger,
      onUnknownJob: this.options.onUnknownJob ?? "retry",
    });
    const manager = new Manager({ concurrency: this.concurrency, fetcher, processor, logger: this.logger });
    this.manager = manager;
    this.heartbeat = new Heartbeat({
      redis,
      sidekiqVersion: version,
      identity: this.identity,
      info: this.processInfo(),
      stats: this.stats,
      running: () => manager.running(),
      isQuiet: () => this.quieting !== undefined,
      onSignal: (signal) => handleRemoteSignal(signal, this.signalTarget(), this.logger),
      onFirstBeat: () => void this.emit("heartbeat"),
      onBeat: () => void this.emit("beat"),
      logger: this.logger,
      intervalMs: this.options.heartbeatInterval,
    });
    this.poller = new ScheduledPoller({
      redis,
      sidekiqVersion: version,
      pollIntervalAverage: this.options.pollIntervalAverage,
      logger: this.logger,
    });
    await this.emit("startup");
    await this.heartbeat.start();
    manager.start();
    this.poller.start();
    this.periodic.start();
    this.logger.info(
      {
        identity: this.identity,
        queues: this.queues.names,
        concurrency: this.concurrency,
        sidekiqVersion: version,
      },
      "kiq started",
    );
  }

  /** Stops fetching new jobs and polling; running jobs finish (the Web UI's Quiet, SIGTSTP). */
  quiet(): Promise<void> {
    this.quieting ??= (async () => {
      this.logger.info("quieting: no new jobs will be fetched");
      await this.emit("quiet");
      await Promise.all([this.manager?.quiet(), this.poller?.stop(), this.periodic.stop()]);
    })();
    return this.quieting;
  }

  /** Shuts down: quiet, wait up to `timeout`, push unfinished jobs back, leave the process list. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Resolves when the process has stopped. */
  whenStopped(): Promise<void> {
    return this.stopped;
  }

  /** Starts, stops on SIGTERM/SIGINT (quiets on SIGTSTP), and resolves once stopped: the CLI's main loop. */
  async run(): Promise<void> {
    const untrap = trapSignals(this.signalTarget(), this.logger);
    try {
      await this.start();
      await this.stopped;
    } finally {
      untrap();
    }
  }

  /** Whether the worker runs and can fetch: what a liveness probe or a dashboard asks. */
  health(): KiqHealth {
    const status = this.connections?.redis.status ?? "not started";
    const failing = this.manager?.fetchError
      ? { error: this.manager.fetchError.message, since: this.manager.fetchErrorSince }
      : this.outage(status);
    return {
      running: this.connections !== undefined && this.stopping === undefined,
      quiet: this.quieting !== undefined,
      busy: this.manager?.busy ?? 0,
      redis: status,
      fetchError: failing?.error,
      fetchErrorSince: failing?.since,
    };
  }

  /** A lost connection: commands wait through reconnects, so no fetch fails, it just cannot run. */
  private outage(status: string): { error: string; since: number | undefined } | undefined {
    const lost = this.watched.filter((w) => w.failingSince() !== undefined);
    if (!this.connections || (status === "ready" && lost.length === 0)) return undefined;
    const error = lost.map((w) => w.lastError()).find((e) => e !== undefined);
    // The command connection may be ready while the fetch connection is still reconnecting.
    const state = status === "ready" ? "reconnecting" : status;
    return {
      error: `Redis connection is ${state}${error ? `: ${error.message}` : ""}`,
      since: lost.length > 0 ? Math.min(...lost.map((w) => w.failingSince() as number)) : undefined,
    };
  }

  private async shutdown(): Promise<void> {
    const manager = this.manager;
    if (!manager || !this.connections) {
      this.resolveStopped();
      return;
    }
    const { redis, blocking, owned } = this.connections;
    if (
      !(await within(
        this.quiet().then(() => true),
        (FETCH_TIMEOUT + EXIT_WRITE_TIMEOUT) * 1000,
      ))
    ) {
      this.logger.warn("Redis did not answer: stopping without waiting for the last fetch");
    }
    // Dropping the fetch connection discards any pop still queued for a Redis that is away.
    blocking.disconnect();
    const timeout = (this.options.timeout ?? DEFAULT_SHUTDOWN_TIMEOUT) * 1000;
    if (!(await manager.drain(timeout))) {
      const { works, requeued } = manager.interrupt();
      if (
        await within(
          requeued.then(() => true),
          EXIT_WRITE_TIMEOUT * 1000,
        )
      ) {
        this.logger.warn(
          { jobs: works.length },
          "timeout reached: unfinished jobs pushed back to their queues",
        );
      } else {
        // Only this process holds them now; log every payload so an operator can push it again.
        this.logger.error({ jobs: works }, "Redis is unreachable: unfinished jobs could not be pushed back");
      }
      manager.abort();
      await manager.drain(INTERRUPT_GRACE * 1000);
    }
    // Commands wait through reconnects; if Redis stays away, exit anyway: the heartbeat expires.
    const cleared = await within(
      (this.heartbeat?.clear() ?? Promise.resolve()).then(() => true),
      EXIT_WRITE_TIMEOUT * 1000,
    );
    if (!cleared)
      this.logger.warn("Redis did not answer: leaving without removing this process from the process list");
    await this.emit("shutdown");
    if (owned) {
      if (cleared) await within(redis.quit(), EXIT_WRITE_TIMEOUT * 1000);
      redis.disconnect();
    }
    this.logger.info("kiq stopped");
    this.resolveStopped();
  }

  private pluginHost(redis: Redis, version: SidekiqVersion, client: Client): ServerPluginHost {
    return {
      kind: "server",
      redis,
      logger: this.logger,
      identity: this.identity,
      sidekiqVersion: async () => version,
      clientMiddleware: client.middleware,
      push: (item) => client.push(item),
      onJobReleased: (handler) => client.releases.add(handler),
      releaseJob: (payload, reason) => client.releases.release(payload, reason),
      serverMiddleware: this.middleware,
      on: (event, listener) => void this.on(event, listener),
      onDeath: (handler) => void this.onDeath(handler),
      every: (seconds, task) => this.periodic.add(seconds, task),
      useFetcher: (factory) => {
        if (this.fetcherFactory) throw new KiqError("another plugin already replaced the fetch strategy");
        this.fetcherFactory = factory;
      },
      register: (...jobs) => void this.register(...jobs),
    };
  }

  private signalTarget() {
    return {
      quiet: () => this.quiet(),
      stop: () => this.stop(),
      dump: () => this.logger.info({ running: [...(this.manager?.running() ?? [])] }, "running jobs"),
    };
  }

  private processInfo(): ProcessInfo {
    return {
      hostname: processHostname(),
      startedAt: Date.now() / 1000,
      pid: process.pid,
      tag: this.options.tag ?? basename(process.cwd()),
      concurrency: this.concurrency,
      queues: this.queues.names,
      weights: Object.fromEntries(this.queues.entries.map((e) => [e.name, e.weight])),
      labels: this.options.labels ?? [],
      identity: this.identity,
    };
  }

  /** Commands wait through reconnects (never fail a write that must land); BRPOP gets its own connection. */
  private connect(): { redis: Redis; blocking: Redis; owned: boolean } {
    // Named, so `CLIENT LIST` tells kiq's connections apart.
    const fetchName = `kiq:${this.identity}:fetch`;
    if (this.options.redis) {
      const blocking = this.options.redis.duplicate({ connectionName: fetchName });
      this.watched = [watchConnection(blocking, this.logger)];
      return { redis: this.options.redis, blocking, owned: false };
    }
    const url = this.options.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
    const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: `kiq:${this.identity}` });
    const blocking = redis.duplicate({ connectionName: fetchName });
    this.watched = [watchConnection(redis, this.logger), watchConnection(blocking, this.logger)];
    return { redis, blocking, owned: true };
  }

  private async emit(event: LifecycleEvent): Promise<void> {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        await listener();
      } catch (error) {
        this.logger.error({ err: error, event }, "lifecycle hook failed");
      }
    }
  }
}

/** The promise's value if it resolves within `ms`; undefined if it rejects or takes longer. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
