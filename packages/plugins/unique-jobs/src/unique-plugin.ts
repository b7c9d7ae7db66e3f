// The plugin: on every push, the gem's fields (lock_timeout, lock_ttl, lock_prefix, lock_args,
// lock_digest) are written into unique jobs (those with a `lock`), so the digest a Node client
// writes is the one Ruby computes. Locking itself comes in later slices.

import { definePlugin, type Plugin } from "@kiq/core";
import { prepareItem, type UniqueItem } from "./prepare.js";
import { type UniqueJobsOptions, uniqueConfig } from "./unique-config.js";

/** A job is unique when its payload names a lock type (the gem's `lock` option). */
export function isUniqueItem(item: UniqueItem): boolean {
  return typeof item.lock === "string" && item.lock !== "";
}

/** The plugin, for `client.use(uniqueJobs())` and `kiq.use(uniqueJobs())`; options are the gem's global config. */
export function uniqueJobs(options?: UniqueJobsOptions): Plugin {
  const config = uniqueConfig(options);
  return definePlugin("unique-jobs", (host) => {
    host.clientMiddleware.use(async (context, next) => {
      const item = context.job as unknown as UniqueItem;
      if (isUniqueItem(item)) {
        if (context.at !== undefined) item.at = context.at;
        prepareItem(item, config);
        if (context.at !== undefined) delete item.at;
      }
      await next();
    });
  });
}
