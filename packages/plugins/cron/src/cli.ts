#!/usr/bin/env node
// The `kiq-cron` command (`kiq cron …` runs the same): a bin of its own, so @kiq/core carries no cron code.
import { cronCommand } from "./cron-command.js";

cronCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
