// Runs one of the plugin's Lua scripts by SHA (EVALSHA), loading it on NOSCRIPT — as the gem does.

import { createHash } from "node:crypto";
import type { PluginHost } from "@kiq/core";

export type ScriptRedis = PluginHost["redis"];

export class LockScript {
  private readonly sha: string;

  constructor(
    readonly name: string,
    private readonly lua: string,
  ) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  async run(redis: ScriptRedis, keys: string[], argv: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...argv);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...argv);
    }
  }
}
