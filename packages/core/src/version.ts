// kiq's own version, shown in the Web UI beside the Sidekiq version whose format a process writes.
// Kept equal to packages/core/package.json by a test (a JSON import would ship the whole manifest).

export const KIQ_VERSION = "0.1.0";
