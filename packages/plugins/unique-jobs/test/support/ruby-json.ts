// Reads JSON text the way Ruby's JSON.parse does for the values a digest hashes: float tokens
// (`1.0`, `-0.0`, `1.0e+20`) stay floats (RubyFloat), big integers stay exact (BigInt, via parseJson).

import { parseJson, RubyFloat } from "@kiq/core";

const FLOAT_MARK = "\u0000float:";

/** Wraps every float token outside strings in a marked string, so parsing keeps its text. */
function markFloats(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if ((ch === "-" || (ch >= "0" && ch <= "9")) && number) {
      const token = number[0];
      out += /[.eE]/.test(token) ? JSON.stringify(FLOAT_MARK + token) : token;
      i += token.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function unmark(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith(FLOAT_MARK))
    return new RubyFloat(Number(value.slice(FLOAT_MARK.length)));
  if (Array.isArray(value)) return value.map(unmark);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = unmark(entry);
    return out;
  }
  return value;
}

export function parseRubyJson(text: string): Record<string, unknown> {
  return unmark(parseJson(markFloats(text))) as Record<string, unknown>;
}
