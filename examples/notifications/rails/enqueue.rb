# Stands in for the Rails app at work: reads notifications (a JSON array) on stdin and notifies each,
# as a controller or model callback would. REDIS_URL picks the Redis. Prints what it did as JSON.
require "json"
require "sidekiq"
require_relative "notifier"

Sidekiq.configure_client { |config| config.logger = Logger.new($stderr, level: Logger::WARN) }
# Debian's redis gem 4.8 warns about SADD's return value on every push from Sidekiq 6.4.1.
Redis.sadd_returns_boolean = false if defined?(Redis) && Redis.respond_to?(:sadd_returns_boolean=)

notifications = JSON.parse($stdin.read)
jids = notifications.flat_map { |notification| Notifier.notify(notification) }
puts JSON.generate("jobs" => jids.size, "sidekiq" => Sidekiq::VERSION)
