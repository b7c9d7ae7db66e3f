#!/usr/bin/env node
// `kiq-cron list|enable|disable|enqueue|delete [name]`: sidekiq-cron jobs in the Redis at REDIS_URL
// (or --url). A bin of its own so @kiq/core's `kiq` command carries no cron code.
import { Client } from "@kiq/core";
import { CronPoller } from "./cron-poller.js";
import { CronStore } from "./cron-store.js";

const USAGE =
  "usage: kiq-cron [--url redis://…] list | enable NAME | disable NAME | enqueue NAME | delete NAME";
const EXIT_USAGE = 2;
const EXIT_NOT_FOUND = 1;

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const urlAt = args.indexOf("--url");
  const url = urlAt >= 0 ? args.splice(urlAt, 2)[1] : process.env.REDIS_URL;
  const [command, name] = args;
  if (!command || (command !== "list" && !name)) {
    console.error(USAGE);
    return EXIT_USAGE;
  }
  const client = new Client({ ...(url ? { url } : {}), sidekiqVersion: "detect" });
  const store = new CronStore(client.redis);
  try {
    switch (command) {
      case "list":
        for (const job of await store.all()) {
          const last = job.lastEnqueueTime?.toISOString() ?? "never";
          console.log(`${job.name}\t${job.status}\t${job.cron}\t${job.klass}\t${job.queue}\tlast: ${last}`);
        }
        return 0;
      case "enable":
      case "disable": {
        const ok = command === "enable" ? await store.enable(name ?? "") : await store.disable(name ?? "");
        return report(ok, `${name} ${command}d`, name);
      }
      case "enqueue":
        return report(
          await new CronPoller(client.redis, store, client).enqueueNow(name ?? ""),
          `${name} enqueued`,
          name,
        );
      case "delete":
        return report(await store.destroy(name ?? ""), `${name} deleted`, name);
      default:
        console.error(USAGE);
        return EXIT_USAGE;
    }
  } finally {
    await client.close();
  }
}

function report(ok: boolean, done: string, name: string | undefined): number {
  if (ok) console.log(done);
  else console.error(`no cron job named ${JSON.stringify(name)}`);
  return ok ? 0 : EXIT_NOT_FOUND;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
