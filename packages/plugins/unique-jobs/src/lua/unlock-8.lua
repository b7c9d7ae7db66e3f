-- Release one jid's hold on a digest as sidekiq-unique-jobs 8.1.0's standard unlock path does,
-- then wake a waiter with the token "1" on D:QUEUED.
-- KEYS: D, D:QUEUED, D:PRIMED, D:LOCKED, D:INFO, changelog, digests, expiring_digests
-- ARGV: jid, lock type, lock limit
-- Returns the jid when released, nil when others still queue or hold the digest ("yielding").
local digest, queued, primed, locked, info, digests = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[7]
local jid, lock_type, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local WAKE_TOKEN, WAKE_TTL_MS = "1", 5000

if redis.call("HEXISTS", locked, jid) == 0 then
  redis.call("LREM", queued, -1, jid)
  redis.call("LREM", primed, -1, jid)
  if redis.call("LLEN", queued) > 0 or redis.call("LLEN", primed) > 0 or redis.call("HLEN", locked) > 0 then
    return nil
  end
end

if lock_type ~= "until_expired" then
  redis.call("HDEL", locked, jid)
  redis.call("DEL", digest, info)
  if limit > 1 and redis.call("HLEN", locked) > 0 then
    if redis.call("LLEN", primed) == 0 then redis.call("DEL", primed) end
  else
    redis.call("DEL", locked, primed)
    redis.call("ZREM", digests, digest)
  end
else
  redis.call("ZREM", digests, digest)
end

redis.call("LPUSH", queued, WAKE_TOKEN)
redis.call("PEXPIRE", queued, WAKE_TTL_MS)
return jid
