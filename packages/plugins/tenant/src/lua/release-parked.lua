-- Frees a finished job's slot (when a jid is given) and releases parked jobs of the same tenant and
-- queue while the tenant has free slots, at most `max`: each payload moves as stored to the push
-- end of its queue (behind the jobs already waiting, so other tenants keep their turn) and its jid
-- gets a slot reserved for one lease, so the tenant's share holds while it waits in the queue.
-- KEYS: running, parked, parked jids, queue, queues, ring
-- ARGV: finished jid or "", lease ms, max concurrent, queue name, max released
-- Returns the number released.
local running, parked, parked_jids, queue, queues, ring = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local finished, lease_ms, cap, queue_name, max = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

if finished ~= "" then redis.call("ZREM", running, finished) end
redis.call("ZREMRANGEBYSCORE", running, "-inf", now)
local room = math.min(cap - redis.call("ZCARD", running), max)
local released = 0
while released < room do
  local payload = redis.call("LPOP", parked)
  if not payload then break end
  local jid = redis.call("LPOP", parked_jids)
  redis.call("LPUSH", queue, payload)
  if jid then redis.call("ZADD", running, now + lease_ms, jid) end
  released = released + 1
end
if released > 0 then
  redis.call("SADD", queues, queue_name)
  redis.call("PEXPIRE", running, lease_ms)
end
if redis.call("LLEN", parked) == 0 then
  redis.call("DEL", parked_jids)
  redis.call("ZREM", ring, parked)
elseif released > 0 then
  redis.call("ZADD", ring, "XX", now, parked)
end
return released
