// The jobs of one bulk push (without client middleware) differ only in args and jid, so their
// shared fields are written to JSON once and every payload is assembled around the two that vary.

import { generateJson } from "../wire/json.js";
import type { OutgoingJob } from "./job-options.js";

/** Writes payloads shaped like `sample` (same keys, same order), with each job's own args and jid. */
export function bulkPayloadWriter(
  sample: OutgoingJob,
): (args: unknown[], jid: string, index: number) => string {
  const fixed: string[] = []; // the text before args, between args and jid, and after jid
  const varying: ("args" | "jid")[] = [];
  let text = "{";
  for (const [key, value] of Object.entries(sample)) {
    if (text !== "{") text += ",";
    text += `${JSON.stringify(key)}:`;
    if (key === "args" || key === "jid") {
      fixed.push(text);
      varying.push(key);
      text = "";
    } else {
      text += generateJson(value, `job.${key}`);
    }
  }
  fixed.push(`${text}}`);
  return (args, jid, index) => {
    let out = fixed[0] as string;
    for (let i = 0; i < varying.length; i++) {
      out += varying[i] === "args" ? generateJson(args, `args[${index}]`) : JSON.stringify(jid);
      out += fixed[i + 1] as string;
    }
    return out;
  };
}
