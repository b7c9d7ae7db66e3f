-- Checks every limit a job is under and, only if all have room, takes them together; Redis' clock.
-- Rate limits are token buckets (HASH tokens, at): tokens refill at `per_ms` up to `burst`. A job
-- that finds no token reserves the next one: the balance goes below zero (the debt the jobs already
-- waiting hold), its jid is kept in the reservations ZSET scored with the time that token is due,
-- and it is admitted without another token when it comes back. So waiting jobs are spaced 1/rate
-- apart and a late return loses no token.
-- Concurrency limits are ZSETs of running jids scored with their lease's end (ms); expired leases
-- (a crashed worker's) are dropped first. When one is full nothing is taken or reserved.
-- KEYS: per rate rule: bucket, reservations; per concurrency rule: running
-- ARGV: jid, then per rule: "rate", per_ms, burst | "concurrency", limit, lease_ms
-- Returns {1} when admitted, else {0, ms until the reserved token (rate), 1 if a concurrency limit is full}.
local jid = ARGV[1]
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local RESERVATION_GRACE_MS = 3600000

local rules, wait, full = {}, 0, false
local k = 1
for a = 2, #ARGV, 3 do
  local rule = { kind = ARGV[a], one = tonumber(ARGV[a + 1]), two = tonumber(ARGV[a + 2]) }
  if rule.kind == "rate" then
    rule.bucket, rule.reserved, k = KEYS[k], KEYS[k + 1], k + 2
    local state = redis.call("HMGET", rule.bucket, "tokens", "at")
    local tokens, at = tonumber(state[1]) or rule.two, tonumber(state[2]) or now
    rule.tokens = math.min(rule.two, tokens + math.max(0, now - at) * rule.one)
    redis.call("ZREMRANGEBYSCORE", rule.reserved, "-inf", now - RESERVATION_GRACE_MS)
    local due = tonumber(redis.call("ZSCORE", rule.reserved, jid))
    if due and due <= now then
      rule.take = "reservation"
    elseif due then
      rule.take, wait = "none", math.max(wait, due - now)
    elseif rule.tokens >= 1 then
      rule.take = "token"
    else
      rule.take = "reserve"
      rule.wait = (1 - rule.tokens) / rule.one
      wait = math.max(wait, rule.wait)
    end
  else
    rule.running, k = KEYS[k], k + 1
    redis.call("ZREMRANGEBYSCORE", rule.running, "-inf", now)
    if not redis.call("ZSCORE", rule.running, jid) and redis.call("ZCARD", rule.running) >= rule.one then
      full = true
    end
  end
  rules[#rules + 1] = rule
end

if full then return { 0, 0, 1 } end

local function save(rule, tokens)
  redis.call("HSET", rule.bucket, "tokens", tokens, "at", now)
  redis.call("PEXPIRE", rule.bucket, math.ceil((rule.two - tokens) / rule.one) + 1000)
end

local admitted = wait == 0
for _, rule in ipairs(rules) do
  if rule.kind == "rate" then
    if admitted and rule.take == "token" then
      save(rule, rule.tokens - 1)
    elseif admitted and rule.take == "reservation" then
      redis.call("ZREM", rule.reserved, jid)
      save(rule, rule.tokens)
    elseif not admitted and rule.take == "reserve" then
      save(rule, rule.tokens - 1)
      redis.call("ZADD", rule.reserved, now + rule.wait, jid)
      redis.call("PEXPIRE", rule.reserved, math.ceil(rule.wait) + RESERVATION_GRACE_MS)
    end
  elseif admitted then
    redis.call("ZADD", rule.running, now + rule.two, jid)
    redis.call("PEXPIRE", rule.running, rule.two)
  end
end
if admitted then return { 1 } end
return { 0, math.ceil(wait), 0 }
