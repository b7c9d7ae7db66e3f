// Where the tests find things outside their own folder. ../shared sits beside the repository (in a
// clone as in CI), so it is located from the repository root, not from the working directory.

import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const SHARED_DIR = path.resolve(REPO_ROOT, "../shared");
/** `ruby-sidekiq 6|7|8 ...`: Ruby with real Sidekiq 6.4.1, 7.3.10 or 8.1.7 loaded. */
export const RUBY_SIDEKIQ = path.join(SHARED_DIR, "oracle", "ruby-sidekiq");
export const RUBY_FIXTURES = path.join(REPO_ROOT, "fixtures", "ruby");

/** A Ruby fixture script by file name, e.g. `rubyFixture("enqueue.rb")`. */
export function rubyFixture(name: string): string {
  return path.join(RUBY_FIXTURES, name);
}
