// The gem's keys for one digest, in the order its scripts take them (spec §1.4, §1.5).

/** Global keys: fixed names, whatever the lock_prefix. */
export const CHANGELOG_KEY = "uniquejobs:changelog";
export const DIGESTS_KEY = "uniquejobs:digests";
export const EXPIRING_DIGESTS_KEY = "uniquejobs:expiring_digests";

/** D, D:QUEUED, D:PRIMED, D:LOCKED, D:INFO, changelog, digests, expiring_digests. */
export function lockKeys(digest: string): string[] {
  return [
    digest,
    `${digest}:QUEUED`,
    `${digest}:PRIMED`,
    `${digest}:LOCKED`,
    `${digest}:INFO`,
    CHANGELOG_KEY,
    DIGESTS_KEY,
    EXPIRING_DIGESTS_KEY,
  ];
}

/** The runtime digest of while_executing (and of until_and_while_executing's second half). */
export const RUN_SUFFIX = ":RUN";

export function runDigest(digest: string): string {
  return digest.endsWith(RUN_SUFFIX) ? digest : `${digest}${RUN_SUFFIX}`;
}
