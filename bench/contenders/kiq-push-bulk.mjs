// kiq's side of bench/push-bulk.mjs: pushes JOBS jobs of Billing::Charge to queue QUEUE with
// Client.pushBulk, BATCH args arrays per call (awaited one after another, as Ruby's loop does),
// and prints one JSON line. Only the pushing is timed: import, connect, building the args and a
// WARMUP batch (to another queue, so the JIT has seen the hot path) happen before.
// oneCall: true instead passes all JOBS args arrays to a single pushBulk call.
// Its one argument is the JSON config bench/push-bulk.mjs passes (see CONFIG there).

const { url, jobs, batch, warmup, queue, jobClass, sidekiqVersion, oneCall, kiqModule } = JSON.parse(
  process.argv[2],
);
// kiqModule: the snapshot of packages/core/dist that bench/lib/kiq-build.mjs took for this run.
const { Client, KIQ_VERSION } = await import(kiqModule ?? "../../packages/core/dist/index.js");

const makeArgs = (n) => Array.from({ length: n }, (_, i) => [i, `user-${i}`, { amount: "19.99" }]);

async function pushAll(client, q, args, size) {
  let pushed = 0;
  for (let start = 0; start < args.length; start += size) {
    const jids = await client.pushBulk({ class: jobClass, queue: q, args: args.slice(start, start + size) });
    for (const jid of jids) if (jid !== null) pushed++;
  }
  return pushed;
}

const client = new Client({ url, sidekiqVersion });
try {
  if (warmup > 0) await pushAll(client, `${queue}-warmup`, makeArgs(warmup), batch);
  const args = makeArgs(jobs);
  const rssBefore = process.memoryUsage().rss;

  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const pushed = await pushAll(client, queue, args, oneCall ? jobs : batch);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);

  console.log(
    JSON.stringify({
      contender: oneCall ? "kiq-one-call" : "kiq",
      runtime: `node ${process.versions.node}, kiq ${KIQ_VERSION} (Sidekiq ${sidekiqVersion} format)`,
      jobs,
      pushed,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssBeforeMb: rssBefore / 2 ** 20,
      rssPeakMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
} finally {
  await client.close();
}
