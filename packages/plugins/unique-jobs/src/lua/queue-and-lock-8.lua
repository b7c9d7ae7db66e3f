-- Client-side lock of one digest, in one step (sidekiq-unique-jobs 8.1.0's non-blocking path).
-- KEYS: D, D:QUEUED, D:PRIMED, D:LOCKED, D:INFO, changelog, digests, expiring_digests
-- ARGV: jid, pttl (ms, 0 = none), lock type, lock limit, lock score ("" = now), now (epoch s)
-- Returns the jid when this jid holds the lock, nil otherwise. Payloads are never read here.
local digest, queued, locked, info = KEYS[1], KEYS[2], KEYS[4], KEYS[5]
local digests, expiring = KEYS[7], KEYS[8]
local jid, pttl, lock_type = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local limit, score, now = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])

if redis.call("HEXISTS", locked, jid) == 1 then return jid end

if limit <= 1 then
  if redis.call("HLEN", locked) > 0 then return nil end
  redis.call("SET", digest, jid)
else
  local holder = redis.call("GET", digest)
  if not holder then
    redis.call("SET", digest, jid)
  elseif holder ~= jid then
    if redis.call("HLEN", locked) >= limit or redis.call("LLEN", queued) >= limit then return nil end
    redis.call("SET", digest, jid)
  end
  if redis.call("HLEN", locked) >= limit then return nil end
end

if lock_type == "until_expired" and pttl > 0 then
  redis.call("ZADD", expiring, now + pttl, digest)
else
  if score == "" then score = now end
  redis.call("ZADD", digests, score, digest)
end
redis.call("HSET", locked, jid, now)
if pttl > 0 then
  redis.call("PEXPIRE", digest, pttl)
  redis.call("PEXPIRE", locked, pttl)
  redis.call("PEXPIRE", info, pttl)
end
return jid
