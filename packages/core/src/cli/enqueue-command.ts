import { parseArgs } from "node:util";
import { Client } from "../client/client.js";
import { KiqError } from "../errors.js";
import { parseJson } from "../wire/json.js";

export async function enqueueCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      queue: { type: "string", short: "q" },
      in: { type: "string" },
      redis: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [className, argsText = "[]"] = positionals;
  if (!className) throw new KiqError("usage: kiq enqueue CLASS 'JSON_ARGS' [-q QUEUE] [--in SECONDS]");
  let jobArgs: unknown;
  try {
    jobArgs = parseJson(argsText); // lossless: big integers stay exact
  } catch (error) {
    throw new KiqError(`JSON_ARGS is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(jobArgs)) throw new KiqError(`JSON_ARGS must be a JSON array, got ${argsText}`);
  const client = new Client({ url: values.redis });
  try {
    const jid = await client.push({
      class: className,
      args: jobArgs,
      queue: values.queue,
      in: values.in === undefined ? undefined : Number(values.in),
    });
    console.log(jid);
  } finally {
    await client.close();
  }
}
