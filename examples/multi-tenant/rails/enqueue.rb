# Stands in for the Rails app at work: reads messages (a JSON array of {tenant, class, message}) on
# stdin and pushes each inside its tenant's Current, as a request or a model callback would.
# REDIS_URL picks the Redis. Prints the jids (in input order) and Sidekiq's version as JSON.
require "json"
require_relative "messenger"

Sidekiq.configure_client { |config| config.logger = Logger.new($stderr, level: Logger::WARN) }
# Debian's redis gem 4.8 warns about SADD's return value on every push from Sidekiq 6.4.1.
Redis.sadd_returns_boolean = false if defined?(Redis) && Redis.respond_to?(:sadd_returns_boolean=)

jids = JSON.parse($stdin.read).map do |entry|
  Current.set(tenant_id: entry.fetch("tenant")) { Messenger.push(entry.fetch("class"), entry.fetch("message")) }
end
puts JSON.generate("jids" => jids, "sidekiq" => Sidekiq::VERSION)
