// The plugin. Client: the gem's fields are written into unique jobs (those whose `lock` names a
// lock type) and the lock is taken before the job is written; a duplicate is not written.
// Server: the lock is released (or the runtime lock held) around perform as the gem does.

import { definePlugin, type Plugin } from "@kiq/core";
import { isLockType, locksOnClient } from "./lock-type.js";
import { lock, lockLimit } from "./locksmith.js";
import { prepareItem, type UniqueItem } from "./prepare.js";
import { aroundPerform } from "./server-lock.js";
import { type UniqueJobsOptions, uniqueConfig } from "./unique-config.js";

/** A job is unique when its payload names a lock type (the gem's `lock` option). */
export function isUniqueItem(item: UniqueItem): boolean {
  return isLockType(item.lock);
}

/** The plugin, for `client.use(uniqueJobs())` and `kiq.use(uniqueJobs())`; options are the gem's global config. */
export function uniqueJobs(options?: UniqueJobsOptions): Plugin {
  const config = uniqueConfig(options);
  return definePlugin("unique-jobs", (host) => {
    host.clientMiddleware.use(async (context, next) => {
      const item = context.job as unknown as UniqueItem;
      const type = item.lock;
      if (!isLockType(type)) return next();
      if (context.at !== undefined) item.at = context.at;
      const digest = prepareItem(item, config);
      if (context.at !== undefined) delete item.at;
      if (locksOnClient(type)) {
        const request = {
          digest,
          jid: context.job.jid,
          type,
          ttl: item.lock_ttl as number | null,
          limit: lockLimit(item.lock_limit),
          at: context.at,
        };
        if (!(await lock(context.redis, request))) {
          host.logger.info(
            { jid: context.job.jid, class: item.class, lock_digest: digest },
            "unique-jobs: duplicate not pushed",
          );
          return;
        }
      }
      await next();
    });
    if (host.kind !== "server") return;
    host.serverMiddleware.use(async ({ item }, next) => {
      const unique = item as unknown as UniqueItem;
      const type = unique.lock;
      if (!isLockType(type)) return next();
      // The digest the pusher wrote (Ruby or Node): recomputing from re-parsed args could lose
      // Ruby float text (1.0 → 1) and lock a different key.
      const digest =
        typeof unique.lock_digest === "string" ? unique.lock_digest : prepareItem(unique, config);
      const outcome = await aroundPerform(
        host.redis,
        {
          digest,
          jid: String(item.jid),
          type,
          ttl: typeof unique.lock_ttl === "number" ? unique.lock_ttl : null,
          limit: lockLimit(unique.lock_limit),
          timeout: typeof unique.lock_timeout === "number" ? unique.lock_timeout : null,
        },
        () => next(),
      );
      if (outcome === "skipped")
        host.logger.info(
          { jid: item.jid, class: item.class, lock_digest: digest },
          "unique-jobs: lock held elsewhere, job skipped",
        );
    });
  });
}
