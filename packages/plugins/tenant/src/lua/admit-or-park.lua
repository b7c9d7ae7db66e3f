-- Admits a job to its tenant's share, or parks it. A slot is a member of the tenant's running set
-- (jid, scored with its lease's end in ms); expired leases (a crashed worker's) are dropped first.
-- A jid already present (a slot reserved for a released job) is admitted and its lease renewed.
-- Parking appends the stored payload, as it is, to the parked list and its jid to a list beside it,
-- and enters the list in the ring of parked lists (score: when it was last served).
-- KEYS: running, parked, parked jids, ring
-- ARGV: jid, lease ms, max concurrent, payload
-- Returns 1 when admitted, 0 when parked.
local running, parked, parked_jids, ring = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local jid, lease_ms, cap, payload = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

redis.call("ZREMRANGEBYSCORE", running, "-inf", now)
if redis.call("ZSCORE", running, jid) or redis.call("ZCARD", running) < cap then
  redis.call("ZADD", running, now + lease_ms, jid)
  redis.call("PEXPIRE", running, lease_ms)
  return 1
end
redis.call("RPUSH", parked, payload)
redis.call("RPUSH", parked_jids, jid)
redis.call("ZADD", ring, "NX", now, parked)
return 0
