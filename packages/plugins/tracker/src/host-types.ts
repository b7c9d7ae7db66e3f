// The host's connection and logger types, named once (the plugin sees them only through @kiq/core).

import type { PluginHost } from "@kiq/core";

export type TrackerRedis = PluginHost["redis"];
export type TrackerLogger = PluginHost["logger"];
