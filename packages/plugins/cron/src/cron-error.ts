/** A cron string sidekiq-cron (fugit) would reject; thrown when a job is defined, never at tick time. */
export class CronSyntaxError extends Error {
  override name = "CronSyntaxError";
  constructor(
    readonly cron: string,
    reason: string,
  ) {
    super(`invalid cron ${JSON.stringify(cron)}: ${reason}`);
  }
}
