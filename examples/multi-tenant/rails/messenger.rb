# The Rails app's side. Current.tenant_id is set per request (by your auth or acts_as_tenant);
# Sidekiq::CurrentAttributes.persist writes it into every job pushed meanwhile (the "cattr" key), and
# Node's @kiq/tenant reads it back. Nothing here needs the job classes: Node runs them.
#
#   Current.set(tenant_id: 101) do
#     Messenger.push("Alerts::SendSms", { "record" => "Alert/7", "version" => 1, "to" => "+4915…", "body" => "…" })
#   end
#
# Each message names the record it is about and the record's lock_version: the worker sends one
# message per record version, however often the same version is enqueued.
require "sidekiq"
require "active_support"
require "active_support/current_attributes"
require "active_job" # Sidekiq 8 writes cattr with ActiveJob's serializer, as it does in any Rails app
require "sidekiq/middleware/current_attributes"

class Current < ActiveSupport::CurrentAttributes
  attribute :tenant_id
end

Sidekiq::CurrentAttributes.persist(Current)

module Messenger
  # Class => queue: alerts jump ahead (critical), receipts are normal, digests can wait (low).
  QUEUES = { "Alerts::SendSms" => "critical", "Receipts::SendEmail" => "default", "Digests::SendEmail" => "low" }.freeze

  def self.push(klass, message)
    Sidekiq::Client.push("class" => klass, "queue" => QUEUES.fetch(klass), "args" => [message])
  end
end
