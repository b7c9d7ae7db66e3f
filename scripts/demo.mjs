// `npm run demo`: Ruby Sidekiq and Node enqueue a mix of jobs on one Redis, a kiq worker runs
// them with a live progress line, and the retry and dead sets fill the way Sidekiq's would.
// Uses REDIS_URL if set (queue "demo"), else a private redis-server on a free port.
// `npm run demo -- --web` also serves Sidekiq's Web UI on that Redis until Ctrl-C.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client, defineJob, Kiq } from "@kiq/core";
import { pino } from "pino";
import { freePort, privateRedis } from "./lib/private-redis.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WEB = process.argv.includes("--web");
const TIMEOUT_MS = 90_000;

function rubyEnqueue(url) {
  const hasSidekiq = spawnSync("ruby", ["-e", 'require "sidekiq"'], { stdio: "ignore" }).status === 0;
  if (!hasSidekiq) {
    console.log(
      "· Ruby Sidekiq not installed (sudo apt-get install -y ruby ruby-sidekiq): Node enqueues alone",
    );
    return {};
  }
  const out = execFileSync("ruby", ["fixtures/ruby/demo_enqueue.rb"], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: url },
  });
  const counts = JSON.parse(out.toString().trim().split("\n").pop());
  console.log(
    `· Ruby Sidekiq pushed ${Object.entries(counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")}`,
  );
  return counts;
}

const ran = { charge: 0, welcome: 0, flaky: 0, nightly: 0 };
const jobs = [
  defineJob("Billing::Charge", (_id, _currency, { amount }, _one, big) => {
    if (typeof big !== "bigint" || amount !== "19.99")
      throw new Error(`args arrived changed: ${big} ${amount}`);
    ran.charge++;
  }),
  defineJob("Mailer::Welcome", () => void ran.welcome++),
  defineJob(
    "Flaky",
    function () {
      if (this.retryCount === undefined) throw new Error("upstream timed out (first try always fails)");
      ran.flaky++;
    },
    { retryIn: () => 1 },
  ),
  defineJob("Doomed", () => {
    throw new RangeError("card expired");
  }),
  defineJob("Reports::Nightly", () => void ran.nightly++),
];

async function main() {
  const redis = await privateRedis();
  console.log(`kiq demo on ${redis.url}`);
  const fromRuby = rubyEnqueue(redis.url);

  const client = new Client({ url: redis.url });
  await client.pushBulk({
    class: "Mailer::Welcome",
    queue: "demo",
    args: Array.from({ length: 500 }, (_, i) => [i, `user${i}@example.com`]),
  });
  await client.push({ class: "Reports::Nightly", queue: "demo", args: [], in: 3 });
  console.log("· Node pushed 500 Mailer::Welcome (pushBulk) and 1 Reports::Nightly scheduled in 3 s");

  const kiq = new Kiq({
    url: redis.url,
    queues: ["demo"],
    concurrency: 10,
    jobs,
    pollIntervalAverage: 1,
    tag: "demo",
    logger: pino({ level: "error" }),
  });
  const deaths = [];
  kiq.onDeath((item, error) => deaths.push(`${item.class}: ${error.message}`));
  await kiq.start();
  console.log(`· kiq worker ${kiq.identity} (Sidekiq ${kiq.sidekiqVersion} format) runs them:`);

  const expected = {
    charge: fromRuby["Billing::Charge"] ?? 0,
    welcome: 500,
    flaky: fromRuby.Flaky ?? 0,
    nightly: 1,
  };
  const total = Object.values(expected).reduce((a, b) => a + b, 0);
  const started = Date.now();
  for (;;) {
    const done = Object.values(ran).reduce((a, b) => a + b, 0);
    const [retry, dead] = await Promise.all([kiq.redis.zcard("retry"), kiq.redis.zcard("dead")]);
    process.stdout.write(
      `\r  succeeded ${done}/${total}   retry set ${retry}   dead set ${dead}   ${((Date.now() - started) / 1000).toFixed(1)} s  `,
    );
    if (done >= total && dead >= (fromRuby.Doomed ?? 0)) break;
    if (Date.now() - started > TIMEOUT_MS) throw new Error("the demo did not finish in time");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log("\n");
  if (deaths.length > 0)
    console.log(
      `· ${deaths.length} jobs went to the dead set (retry: 0, death handlers ran): ${[...new Set(deaths)].join("; ")}`,
    );
  if (fromRuby["Ruby::Only"])
    console.log(
      "· Ruby::Only has no Node handler: it failed as NameError and waits in the retry set for Ruby",
    );
  console.log("· Flaky jobs failed once, went to the retry set, and succeeded on retry");

  if (WEB) {
    const port = await freePort();
    const web = spawn("puma", ["-b", `tcp://127.0.0.1:${port}`, "fixtures/ruby/web.ru"], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: redis.url },
      stdio: "ignore",
    });
    console.log(`\nSidekiq's Web UI on this Redis: http://127.0.0.1:${port}/busy lists this Node process,`);
    console.log("/retries and /morgue the jobs above. Ctrl-C stops the demo.");
    await new Promise((resolve) => process.once("SIGINT", resolve));
    web.kill();
  } else {
    console.log("\nSee it in Sidekiq's own Web UI: npm run demo -- --web");
    console.log(`Ask Sidekiq's API: REDIS_URL=<url> ruby -rsidekiq/api -e 'p Sidekiq::Stats.new.retry_size'`);
  }
  await kiq.stop();
  await client.close();
  redis.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
