// Runs one job through its handler as a worker would, without Redis: Testing's server middleware
// around it, the job's context as `this` and through currentJob(). No retries and no timeout:
// an error reaches the caller, which is the test.

import { type Logger, pino } from "pino";
import { Chain } from "../middleware/chain.js";
import { type JobContext, type JobDefinition, runInJobContext } from "../server/job.js";
import type { ServerContext } from "../server/processor.js";
import { generateJson } from "../wire/json.js";
import type { CapturedJob } from "./captured-job.js";

/** What Testing.middleware and Testing.logger set for every drained or inline run. */
export const performSettings = {
  /** Server middleware for test runs (empty by default, like Sidekiq::Testing.server_middleware). */
  middleware: new Chain<ServerContext>(),
  /** The logger handlers' `this.logger` derives from; silent by default. */
  logger: pino({ level: "silent" }) as Logger,
};

// Test runs are never shut down or timed out, so their signal never fires.
const NEVER_ABORTED = new AbortController().signal;

export async function performJob(job: CapturedJob, definition: JobDefinition): Promise<void> {
  const { middleware, logger } = performSettings;
  const context: JobContext = {
    jid: job.jid,
    queue: job.queue,
    className: job.class,
    retryCount: job.retry_count,
    item: job,
    logger: logger.child({ jid: job.jid, class: job.wrapped ?? job.class, queue: job.queue }),
    signal: NEVER_ABORTED,
  };
  const perform = async () => {
    await runInJobContext(context, () => definition.perform(context, job.args));
  };
  if (middleware.size === 0) return perform();
  // No stored string in test runs: the job as the client would have written it.
  await middleware.run(
    {
      job: context,
      item: job,
      queue: job.queue,
      definition,
      payload: generateJson(job, "job"),
      bindLog: (fields) => context.logger.setBindings(fields),
    },
    perform,
  );
}
