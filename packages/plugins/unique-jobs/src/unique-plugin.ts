// The plugin. Client: the gem's fields are written into unique jobs (those whose `lock` names a
// lock type) and the lock is taken before the job is written; a duplicate goes to the client
// conflict strategy. Server: the lock is released (or the runtime lock held) around perform as the
// gem does, a held D:RUN goes to the server conflict strategy, and the orphan reaper runs. Both:
// a job deleted, dead or recovered gives its locks back (host.onJobReleased).

import { definePlugin, type Plugin, type PluginHost } from "@kiq/core";
import { type ConflictSide, conflictStrategy } from "./conflict.js";
import { releaseLocks } from "./job-release.js";
import { runDigest } from "./lock-keys.js";
import { locksOnClient, lockTypeOf } from "./lock-type.js";
import { type LockRequest, lock, lockLimit } from "./locksmith.js";
import { prepareItem, type UniqueItem } from "./prepare.js";
import { startReaper } from "./reaper.js";
import { aroundPerform } from "./server-lock.js";
import { RESCHEDULED, replaceHolder, resolveConflict } from "./strategies.js";
import { type UniqueConfig, type UniqueJobsOptions, uniqueConfig } from "./unique-config.js";

/** A job is unique when its payload names a lock type or an alias of one (the gem's `lock` option). */
export function isUniqueItem(item: UniqueItem): boolean {
  return lockTypeOf(item.lock) !== undefined;
}

/** The gem skips uniqueness once for a job its reschedule strategy pushed, and drops the mark. */
function takeRescheduled(item: UniqueItem): boolean {
  if (!(RESCHEDULED in item)) return false;
  const marked = item[RESCHEDULED];
  delete item[RESCHEDULED];
  return marked !== undefined && marked !== null && marked !== false;
}

function strategyFor(host: PluginHost, config: UniqueConfig, item: UniqueItem, side: ConflictSide) {
  return conflictStrategy(item, side, config.onConflict, (name) =>
    host.logger.warn(`unique-jobs: no conflict strategy named ${name}; the job is dropped`),
  );
}

function installClient(host: PluginHost, config: UniqueConfig): void {
  host.clientMiddleware.use(async (context, next) => {
    const item = context.job as unknown as UniqueItem;
    const type = lockTypeOf(item.lock);
    if (takeRescheduled(item) || !type) return next();
    if (context.at !== undefined) item.at = context.at;
    const digest = prepareItem(item, config);
    if (context.at !== undefined) delete item.at;
    if (!locksOnClient(type)) return next();
    const request: LockRequest = {
      digest,
      jid: context.job.jid,
      type,
      ttl: item.lock_ttl as number | null,
      limit: lockLimit(item.lock_limit),
      at: context.at,
    };
    if (await lock(context.redis, request)) return next();
    const strategy = strategyFor(host, config, item, "client");
    // replace: the queued holder and its lock go, then one more try (the gem's second attempt).
    if (
      strategy === "replace" &&
      (await replaceHolder(host, item, digest)) &&
      (await lock(context.redis, request))
    )
      return next();
    await resolveConflict(strategy, { host, side: "client", item, jid: context.job.jid, digest });
  });
}

function installServer(host: PluginHost & { kind: "server" }, config: UniqueConfig): void {
  host.serverMiddleware.use(async ({ item, payload }, next) => {
    const unique = item as unknown as UniqueItem;
    const type = lockTypeOf(unique.lock);
    if (takeRescheduled(unique) || !type) return next();
    // The digest the pusher wrote (Ruby or Node): recomputing from re-parsed args could lose
    // Ruby float text (1.0 → 1) and lock a different key.
    const digest = typeof unique.lock_digest === "string" ? unique.lock_digest : prepareItem(unique, config);
    const jid = String(item.jid);
    const outcome = await aroundPerform(
      host.redis,
      {
        digest,
        jid,
        type,
        ttl: typeof unique.lock_ttl === "number" ? unique.lock_ttl : null,
        limit: lockLimit(unique.lock_limit),
        timeout: typeof unique.lock_timeout === "number" ? unique.lock_timeout : null,
      },
      () => next(),
    );
    if (outcome === "skipped")
      host.logger.info(
        { jid, class: item.class, lock_digest: digest },
        "unique-jobs: lock held elsewhere, job skipped",
      );
    if (outcome !== "conflict") return;
    const strategy =
      unique.lock === "while_executing_reject" ? "reject" : strategyFor(host, config, unique, "server");
    const run = runDigest(digest);
    // replace on the server (which the gem warns against): a queued job of D:RUN and its lock go, then this one runs.
    if (strategy === "replace" && (await replaceHolder(host, unique, run))) return next();
    await resolveConflict(strategy, { host, side: "server", item: unique, jid, digest: run, payload });
  });
  startReaper(host, config);
}

/** The plugin, for `client.use(uniqueJobs())` and `kiq.use(uniqueJobs())`; options are the gem's global config. */
export function uniqueJobs(options?: UniqueJobsOptions): Plugin {
  const config = uniqueConfig(options);
  return definePlugin("unique-jobs", (host) => {
    installClient(host, config);
    host.onJobReleased((payload, reason) => releaseLocks(host, config, payload, reason));
    if (host.kind === "server") installServer(host, config);
  });
}
