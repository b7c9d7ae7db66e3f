-- The replace strategy's search (sidekiq-unique-jobs 8.1.0's delete_job_by_digest): remove and return
-- the first stored job whose text contains the digest, looking in the job's queue, then `schedule`,
-- then `retry` (the sets from the digest's score on, as the gem does). Payloads are only searched
-- as text (plain find) and moved, never decoded.
-- KEYS: queue:<name>, schedule, retry, uniquejobs:digests
-- ARGV: digest
local queue, digests = KEYS[1], KEYS[4]
local digest = ARGV[1]
local PAGE = 50

local function contains(entry)
  return string.find(entry, digest, 1, true) ~= nil
end

local total = redis.call("LLEN", queue)
for start = 0, total, PAGE do
  local entries = redis.call("LRANGE", queue, start, start + PAGE - 1)
  if #entries == 0 then break end
  for _, entry in ipairs(entries) do
    if contains(entry) then
      redis.call("LREM", queue, 1, entry)
      return entry
    end
  end
end

local score = redis.call("ZSCORE", digests, digest)
for i = 2, 3 do
  local set = KEYS[i]
  local size = redis.call("ZCARD", set)
  for offset = 0, size, PAGE do
    local entries
    if score then
      entries = redis.call("ZRANGE", set, score, "+inf", "BYSCORE", "LIMIT", offset, PAGE)
    else
      entries = redis.call("ZRANGE", set, offset, offset + PAGE - 1)
    end
    if #entries == 0 then break end
    for _, entry in ipairs(entries) do
      if contains(entry) then
        redis.call("ZREM", set, entry)
        return entry
      end
    end
  end
end
return nil
