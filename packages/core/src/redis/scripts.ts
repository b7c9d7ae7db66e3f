// Every Redis script is a file in ./scripts, named for what it does, loaded once per connection
// and called by name (EVALSHA, with ioredis falling back to EVAL after a NOSCRIPT). Scripts move
// stored strings as they are: they never decode and re-encode a payload (cjson would turn `[]`
// into `{}` and round big integers).

import type { Redis } from "ioredis";

export interface ScriptDefinition {
  /** Command name on the connection. */
  name: string;
  /** Number of KEYS, or undefined when the caller passes it first (variable key count). */
  keys?: number;
  lua: string;
}

const defined = new WeakMap<Redis, Set<string>>();

/** Defines the scripts on a connection once; returns the connection typed with them. */
export function withScripts<T>(redis: Redis, scripts: readonly ScriptDefinition[]): Redis & T {
  let names = defined.get(redis);
  if (!names) {
    names = new Set();
    defined.set(redis, names);
  }
  for (const script of scripts) {
    if (names.has(script.name)) continue;
    const options =
      script.keys === undefined ? { lua: script.lua } : { lua: script.lua, numberOfKeys: script.keys };
    redis.defineCommand(script.name, options);
    names.add(script.name);
  }
  return redis as Redis & T;
}
