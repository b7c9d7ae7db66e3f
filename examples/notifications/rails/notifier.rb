# The Rails app's side: for each notification, one Sidekiq job per channel, on the channel's queue.
# Node workers run them (examples/notifications/handlers.ts); nothing here needs the job classes.
#
#   Notifier.notify("dedup_key" => "order-42/paid", "user_id" => 42, "event" => "payment_received",
#                   "amount" => "12.30", "currency" => "EUR")
#
# Amounts go as strings formatted by the app: JSON numbers are doubles, and "12.30" must stay "12.30".
# The dedup_key names the event, not the job: enqueue the same event twice and it is sent once.
module Notifier
  CHANNELS = %w[log email browser chat].freeze

  def self.notify(notification)
    CHANNELS.map do |channel|
      Sidekiq::Client.push(
        "class" => "Notifications::#{channel.capitalize}",
        "queue" => "notifications_#{channel}",
        "args" => [notification]
      )
    end
  end
end
