// `error_backtrace`: the frames as a JSON array, zlib-deflated, Base64. Sidekiq before 7.2.1 writes
// MIME Base64 (a newline every 60 characters and at the end); 7.2.1+ strict Base64. Both are read.

import { deflateSync, inflateSync } from "node:zlib";
import { generateJson } from "./json.js";
import type { SidekiqVersion } from "./types.js";

const MIME_LINE = 60;

export function encodeBacktrace(frames: readonly string[], version: SidekiqVersion): string {
  const base64 = deflateSync(generateJson(frames)).toString("base64");
  if (version >= 7) return base64;
  let mime = "";
  for (let i = 0; i < base64.length; i += MIME_LINE) mime += `${base64.slice(i, i + MIME_LINE)}\n`;
  return mime;
}

/** The frames of a stored `error_backtrace` (either Base64 form, or the raw array 6.x also read). */
export function decodeBacktrace(stored: unknown): string[] {
  if (Array.isArray(stored)) return stored.map(String);
  if (typeof stored !== "string") return [];
  const frames: unknown = JSON.parse(inflateSync(Buffer.from(stored, "base64")).toString("utf8"));
  return Array.isArray(frames) ? frames.map(String) : [];
}
