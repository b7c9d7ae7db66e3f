// `kiq-cron list|enable|disable|enqueue|delete [name]`, `kiq-cron migrate` (also `kiq cron …`):
// sidekiq-cron jobs in the Redis at REDIS_URL (or --url/--redis), in 1.x's keys or, with
// --layout 2.x, 2.x's namespaced ones.
import { Client } from "@kiq/core";
import type { CronLayout } from "./cron-keys.js";
import { migrateLegacyJobs } from "./cron-migration.js";
import { CronPoller } from "./cron-poller.js";
import { CronStore, checkStoreOptions } from "./cron-store.js";

const USAGE =
  "usage: kiq-cron [--url|--redis redis://…] [--layout 1.x|2.x] [--namespace NS] " +
  "list | enable NAME | disable NAME | enqueue NAME | delete NAME | migrate";
const EXIT_USAGE = 2;
const EXIT_NOT_FOUND = 1;
const NEEDS_NO_NAME = new Set(["list", "migrate"]);

/** Removes `--flag value` from args and returns the value. */
function takeFlag(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
}

/** Runs one command; returns the exit code (2 usage, 1 no such job). */
export async function cronCommand(argv: string[]): Promise<number> {
  const args = [...argv];
  const url = takeFlag(args, "--url") ?? takeFlag(args, "--redis") ?? process.env.REDIS_URL;
  const layout = (takeFlag(args, "--layout") ?? "1.x") as CronLayout;
  const namespace = takeFlag(args, "--namespace");
  const [command, name = ""] = args;
  if (!command || (!NEEDS_NO_NAME.has(command) && !name)) {
    console.error(USAGE);
    return EXIT_USAGE;
  }
  // Checked before connecting; `list` shows every namespace found in Redis.
  const options = checkStoreOptions({
    layout,
    ...(namespace ? { namespace } : {}),
    ...(layout === "2.x" ? { availableNamespaces: "auto" as const } : {}),
  });
  const client = new Client({ ...(url ? { url } : {}), sidekiqVersion: "detect" });
  const cronStore = new CronStore(client.redis, options);
  try {
    switch (command) {
      case "list":
        for (const job of await cronStore.all(namespace ?? "*")) {
          const last = job.lastEnqueueTime?.toISOString() ?? "never";
          const where = layout === "2.x" ? `${job.namespace}\t` : "";
          console.log(
            `${where}${job.name}\t${job.status}\t${job.cron}\t${job.klass}\t${job.queue}\tlast: ${last}`,
          );
        }
        return 0;
      case "enable":
      case "disable": {
        const ok = command === "enable" ? await cronStore.enable(name) : await cronStore.disable(name);
        return report(ok, `${name} ${command}d`, name);
      }
      case "enqueue": {
        const poller = new CronPoller(cronStore, (item) => client.push(item));
        return report(await poller.enqueueNow(name), `${name} enqueued`, name);
      }
      case "delete":
        return report(await cronStore.destroy(name), `${name} deleted`, name);
      case "migrate": {
        const moved = await migrateLegacyJobs(cronStore);
        console.log(
          `moved ${moved.length} job(s) into namespace ${cronStore.namespace}: ${moved.join(", ")}`,
        );
        return 0;
      }
      default:
        console.error(USAGE);
        return EXIT_USAGE;
    }
  } finally {
    await client.close();
  }
}

function report(ok: boolean, done: string, name: string): number {
  if (ok) console.log(done);
  else console.error(`no cron job named ${JSON.stringify(name)}`);
  return ok ? 0 : EXIT_NOT_FOUND;
}
