#!/usr/bin/env node
// `kiq`, shaped like the `sidekiq` command: `kiq worker`, `kiq enqueue`, `kiq stats`, and
// `kiq cron` when @kiq/cron is installed.

import { KiqError } from "../errors.js";
import { cronCommand } from "./cron-command.js";
import { enqueueCommand } from "./enqueue-command.js";
import { statsCommand } from "./stats-command.js";
import { workerCommand } from "./worker-command.js";

const USAGE = `usage: kiq <command> [options]

  kiq worker -r FILE… [-q NAME[,WEIGHT]]… [-c N] [-t SECONDS] [-g TAG] [-C config/sidekiq.yml]
             [--sidekiq-version 6|7|8] [--redis URL] [--reliable]
  kiq enqueue CLASS 'JSON_ARGS' [-q QUEUE] [--in SECONDS] [--redis URL]
  kiq stats [--redis URL]
  kiq cron list | enable NAME | disable NAME | enqueue NAME | delete NAME | migrate
           [--layout 1.x|2.x] [--namespace NS] [--redis URL]      (with @kiq/cron installed)

Redis comes from --redis, else REDIS_URL, else redis://127.0.0.1:6379.
--reliable (or \`reliable: true\` in sidekiq.yml) fetches with @kiq/tracker: a job whose process
dies mid-job is run again instead of lost.`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  worker: workerCommand,
  enqueue: enqueueCommand,
  stats: statsCommand,
  cron: cronCommand,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    console.error(USAGE);
    process.exitCode = name === undefined || name === "--help" || name === "-h" ? 0 : 2;
    return;
  }
  await command(args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof KiqError || error instanceof TypeError ? `kiq: ${error.message}` : error);
  process.exitCode = 1;
});
