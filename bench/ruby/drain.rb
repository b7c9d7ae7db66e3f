# Ruby Sidekiq's side of bench/drain.mjs: loaded by Sidekiq's own server (`sidekiq -r` this file),
# so the process is a stock Sidekiq 6.4.1, 7.3.10 or 8.1.7 worker with its fetcher, processors,
# heartbeat, poller and server middleware. It runs the `jobs` no-op jobs bench/drain.mjs pushed
# before starting it, prints one JSON line, and stops itself with SIGTERM (as an operator would).
#
# The clock starts at Sidekiq's :startup event, fired just before the launcher starts the fetching
# threads (boot, requiring Sidekiq and the Redis handshake are before it, so they are not timed),
# and stops when the `jobs`-th perform has run. Each perform only ticks a byte for its argument in
# memory under a mutex, so counting costs no Redis command; the tally proves every job ran once.
# The JSON config comes in the KIQ_BENCH_DRAIN environment variable (Sidekiq's CLI owns ARGV):
#
#   KIQ_BENCH_DRAIN='{"url":"redis://127.0.0.1:PORT","jobs":100000}' \
#     ../shared/oracle/ruby-sidekiq 7 --server -r ./bench/ruby/drain.rb -q bench -c 25

require "json"
require "logger"
require "sidekiq"
require "sidekiq/job"

CONFIG = JSON.parse(ENV.fetch("KIQ_BENCH_DRAIN"))

# What the performs record: one byte per job index, the count, and the clock readings.
module DrainTally
  JOBS = CONFIG.fetch("jobs")
  STALL_SECONDS = CONFIG.fetch("stallSeconds", 30)
  @lock = Mutex.new
  @seen = ("\0" * JOBS).b
  @performed = 0
  @duplicates = 0
  @out_of_range = 0
  @done = Queue.new

  class << self
    attr_reader :performed, :started_at, :first_job_at, :finished_at

    def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

    def cpu_now = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)

    def start!
      @started_at = now
      @cpu_started = cpu_now
    end

    def record(i)
      @lock.synchronize do
        @first_job_at ||= now
        if i.is_a?(Integer) && i >= 0 && i < JOBS
          count = @seen.getbyte(i)
          @duplicates += 1 if count > 0
          @seen.setbyte(i, [count + 1, 255].min)
        else
          @out_of_range += 1
        end
        @performed += 1
        if @performed == JOBS
          @finished_at = now
          @cpu_seconds = cpu_now - @cpu_started
          @done << :finished
        end
      end
    end

    # Blocks until the last job ran, or until nothing ran for STALL_SECONDS (a lost job).
    def wait
      last = -1
      loop do
        return if @done.size > 0
        if @performed != last
          last = @performed
          @progress_at = now
        elsif now - @progress_at > STALL_SECONDS
          return
        end
        sleep 0.05
      end
    end

    def result(concurrency)
      {
        contender: "ruby-sidekiq",
        runtime: "ruby #{RUBY_VERSION}, sidekiq #{Sidekiq::VERSION}",
        sidekiqVersion: Sidekiq::VERSION,
        concurrency: concurrency,
        jobs: JOBS,
        performed: @performed,
        distinct: JOBS - @seen.count("\0"),
        duplicates: @duplicates,
        outOfRange: @out_of_range,
        seconds: @finished_at && (@finished_at - @started_at),
        cpuSeconds: @cpu_seconds,
        firstJobMs: @first_job_at && (@first_job_at - @started_at) * 1000,
        rssPeakMb: rss_mb("VmHWM")
      }
    end

    def rss_mb(field)
      File.read("/proc/self/status")[/^#{field}:\s+(\d+) kB/, 1].to_i / 1024.0
    rescue Errno::ENOENT
      nil
    end
  end
end

module Bench
  # The no-op job bench/drain.mjs pushes: `Bench::Noop` with args [i].
  class Noop
    include Sidekiq::Job

    def perform(i)
      DrainTally.record(i)
    end
  end
end

Sidekiq.configure_server do |config|
  config.redis = {url: CONFIG.fetch("url")}
  # stdout carries only the result line; warnings and errors go to stderr (kiq's row logs at warn too).
  config.logger = Sidekiq::Logger.new($stderr, level: Logger::WARN)
  config.on(:startup) do
    DrainTally.start!
    # 6.x yields the Sidekiq module (options hash); 7 and 8 a Sidekiq::Config.
    concurrency = config.respond_to?(:concurrency) ? config.concurrency : Sidekiq.options[:concurrency]
    Thread.new do
      DrainTally.wait
      $stdout.puts JSON.generate(DrainTally.result(concurrency))
      $stdout.flush
      Process.kill("TERM", Process.pid) # Sidekiq's graceful stop: flushes stat:processed, leaves `processes`
    end
  end
end
