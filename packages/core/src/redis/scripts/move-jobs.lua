-- Moves due jobs out of a sorted set (retry or schedule) onto their queues. Pollers race (Ruby's
-- and kiq's): a member is pushed only by the caller whose ZREM removed it, so each job is enqueued
-- exactly once, and it is never out of both places. The caller prepared every string (the stored
-- payload with only enqueued_at changed): nothing is decoded here (cjson would round big integers).
--
-- KEYS: 1 the sorted set, 2 `queues`, 3 `dead`, then the queue list key of each job to push.
-- ARGV: 1 now (epoch seconds as Float#to_s), 2 dead-set age cutoff score, 3 dead-set rank bound
--       (negative, for ZREMRANGEBYRANK 0 <bound>), 4 N = number of unreadable members,
--       then those N members (buried in the dead set as they are), then per job to push:
--       member as stored, payload to push, queue name.
-- Returns {pushed, buried member, buried member, ...}.
local set, queues, dead = KEYS[1], KEYS[2], KEYS[3]
local now = tonumber(ARGV[1])

-- A member read a moment ago may since have been taken by another poller or re-added with a later
-- score: only one still there and still due is taken.
local function take(member)
  local score = redis.call('ZSCORE', set, member)
  if score and tonumber(score) <= now then
    return redis.call('ZREM', set, member) == 1
  end
  return false
end

local result = {0}
local unreadable = tonumber(ARGV[4])
for i = 1, unreadable do
  local member = ARGV[4 + i]
  if take(member) then
    redis.call('ZADD', dead, ARGV[1], member)
    result[#result + 1] = member
  end
end
if #result > 1 then
  -- The morgue's trims, as Sidekiq runs them on every add.
  redis.call('ZREMRANGEBYSCORE', dead, '-inf', ARGV[2])
  redis.call('ZREMRANGEBYRANK', dead, 0, ARGV[3])
end

local first = 4 + unreadable
local jobs = (#ARGV - first) / 3
for j = 1, jobs do
  local at = first + (j - 1) * 3
  if take(ARGV[at + 1]) then
    redis.call('SADD', queues, ARGV[at + 3])
    redis.call('LPUSH', KEYS[3 + j], ARGV[at + 2])
    result[1] = result[1] + 1
  end
end
return result
