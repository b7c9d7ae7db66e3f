// Loads the vectors recorded from real Ruby Sidekiq (../shared/spec/vectors beside the repository).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const VECTORS = fileURLToPath(new URL("../../../../shared/spec/vectors/", import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: vector files are free-form JSON
export function vector(path: string): any {
  return JSON.parse(readFileSync(VECTORS + path, "utf8"));
}

export const RECORDED_VERSIONS = ["6.4.1", "7.3.10", "8.1.7"] as const;

/** Every raw job string in a recorded file: plain, scheduled, retry, dead, and the running one. */
export function recordedPayloads(version: (typeof RECORDED_VERSIONS)[number]): string[] {
  const data = vector(`recorded/sidekiq-${version}.json`);
  const running = Object.values(data.process_work_hash as Record<string, string>).map(
    (work) => JSON.parse(work).payload as string,
  );
  return [
    data.plain_job,
    ...data.scheduled_job.map((e: [string]) => e[0]),
    ...data.retry_set.map((e: [string]) => e[0]),
    ...data.dead_set.map((e: [string]) => e[0]),
    ...running,
  ];
}
