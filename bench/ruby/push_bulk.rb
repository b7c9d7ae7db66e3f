# Ruby Sidekiq's side of bench/push-bulk.mjs: pushes `jobs` jobs of Billing::Charge to `queue` with
# Sidekiq::Client.push_bulk, `batch` args arrays per call, and prints one JSON line. Only the
# pushing is timed: boot, building the args and a `warmup` batch (to another queue) happen before.
# Its one argument is the JSON config bench/push-bulk.mjs passes (see CONFIG there):
#
#   ../shared/oracle/ruby-sidekiq 7 bench/ruby/push_bulk.rb '{"url":"redis://127.0.0.1:PORT","jobs":100000}'

require "json"
require "sidekiq"

config = JSON.parse(ARGV.fetch(0))
url = config.fetch("url")
jobs = config.fetch("jobs", 100_000)
batch = config.fetch("batch", 1000)
warmup = config.fetch("warmup", 1000)
queue = config.fetch("queue", "bench")
job_class = config.fetch("jobClass", "Billing::Charge")

# Logs to stderr: stdout carries only the result line.
Sidekiq.configure_client do |config|
  config.redis = {url: url}
  config.logger = Logger.new($stderr, level: Logger::WARN)
end

def rss_mb(field)
  File.read("/proc/self/status")[/^#{field}:\s+(\d+) kB/, 1].to_i / 1024.0
rescue Errno::ENOENT
  nil
end

def push_all(job_class, queue, args, batch)
  pushed = 0
  args.each_slice(batch) do |slice|
    jids = Sidekiq::Client.push_bulk("class" => job_class, "queue" => queue, "args" => slice)
    pushed += jids.count { |jid| jid }
  end
  pushed
end

make_args = ->(n) { Array.new(n) { |i| [i, "user-#{i}", {"amount" => "19.99"}] } }
push_all(job_class, "#{queue}-warmup", make_args.call(warmup), batch) if warmup > 0
args = make_args.call(jobs)
rss_before = rss_mb("VmRSS")

cpu_started = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
pushed = push_all(job_class, queue, args, batch)
seconds = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
cpu_seconds = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID) - cpu_started

puts JSON.generate(
  contender: "ruby-sidekiq",
  runtime: "ruby #{RUBY_VERSION}, sidekiq #{Sidekiq::VERSION}",
  sidekiqVersion: Sidekiq::VERSION,
  jobs: jobs,
  pushed: pushed,
  seconds: seconds,
  cpuSeconds: cpu_seconds,
  rssBeforeMb: rss_before,
  rssPeakMb: rss_mb("VmHWM")
)
