-- Moves members out of a sorted set (schedule, retry or dead): onto their queues, or as they are
-- into the dead set. Movers race (Ruby's pollers, kiq's, the Web UI, the API): a member is moved
-- only by the caller whose ZREM removed it, so each job lands in exactly one place, and it is never
-- out of every place. The caller prepared every string (the stored payload with only the fields it
-- owns changed): nothing is decoded here (cjson would round big integers and turn `[]` into `{}`).
--
-- KEYS: 1 the sorted set, 2 `queues`, 3 `dead`, then the queue list key of each job to push.
-- ARGV: 1 highest score taken (Float#to_s, or "+inf": a member scored above it has been
--       rescheduled and stays), 2 now (epoch seconds as Float#to_s, the dead-set score),
--       3 dead-set age cutoff score, 4 dead-set rank bound (negative, for ZREMRANGEBYRANK 0 <bound>),
--       5 N = number of members to kill, then those N members (into the dead set as they are),
--       then per job to push: member as stored, payload to push, queue name.
-- Returns {pushed, killed member, killed member, ...}.
local set, queues, dead = KEYS[1], KEYS[2], KEYS[3]
local highest = tonumber(ARGV[1])

-- A member read a moment ago may since have been taken by another mover or re-added with a later
-- score: only one still there and still scored within the bound is taken.
local function take(member)
  local score = redis.call('ZSCORE', set, member)
  if score and tonumber(score) <= highest then
    return redis.call('ZREM', set, member) == 1
  end
  return false
end

local result = {0}
local kills = tonumber(ARGV[5])
for i = 1, kills do
  local member = ARGV[5 + i]
  if take(member) then
    redis.call('ZADD', dead, ARGV[2], member)
    result[#result + 1] = member
  end
end
if #result > 1 then
  -- The morgue's trims, as Sidekiq runs them on every add.
  redis.call('ZREMRANGEBYSCORE', dead, '-inf', ARGV[3])
  redis.call('ZREMRANGEBYRANK', dead, 0, ARGV[4])
end

local first = 5 + kills
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
