// `kiq cron …`: hands over to @kiq/cron's command when that package is installed beside @kiq/core,
// so the core command carries no cron code and names the package to install when it is missing.

import { KiqError } from "../errors.js";

/** Held in a variable so neither TypeScript nor the bundler tries to resolve the optional package. */
const CRON_PACKAGE = "@kiq/cron";

interface CronPackage {
  cronCommand(argv: string[]): Promise<number>;
}

export async function cronCommand(args: string[]): Promise<void> {
  let cron: CronPackage;
  try {
    cron = (await import(CRON_PACKAGE)) as CronPackage;
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new KiqError(`kiq cron needs the ${CRON_PACKAGE} package: npm install ${CRON_PACKAGE}`);
  }
  process.exitCode = await cron.cronCommand(args);
}
