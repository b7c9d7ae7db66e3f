// sidekiq-assured-jobs' keys (spec §3.1), under a namespace of its own (default the gem's
// "sidekiq_assured_jobs"; "sidekiq_processing" for the older sidekiq-processing-tracker).

import { keyspace } from "@kiq/core";

/** sidekiq-assured-jobs 1.1.0's namespace (env ASSURED_JOBS_NS in Ruby). */
export const ASSURED_JOBS_NAMESPACE = "sidekiq_assured_jobs";

export class AssuredKeys {
  private readonly key: (...parts: string[]) => string;

  constructor(readonly namespace: string) {
    this.key = keyspace(namespace);
  }

  /** STRING: the instance's last heartbeat (float seconds), with the heartbeat TTL. */
  instance(id: string): string {
    return this.key("instance", id);
  }

  /** SET: the jids the instance is running. */
  jobs(id: string): string {
    return this.key("jobs", id);
  }

  /** STRING: the job's payload while it runs. */
  job(jid: string): string {
    return this.key("job", jid);
  }

  /** Prefix of job(jid), for scripts. */
  get jobPrefix(): string {
    return this.key("job", "");
  }

  /** Pattern matching every instance's jobs set. */
  get jobsPattern(): string {
    return this.key("jobs", "*");
  }

  /** STRING: the id of the instance recovering now (SET NX EX). */
  get recoveryLock(): string {
    return this.key("recovery_lock");
  }

  /** The instance id a jobs-set key names. */
  instanceOf(jobsKey: string): string {
    return jobsKey.slice(this.key("jobs", "").length);
  }
}
