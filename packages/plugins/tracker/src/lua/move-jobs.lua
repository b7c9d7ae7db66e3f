-- Acknowledges finished jobs, then moves up to ARGV[1] jobs from each source list into its working
-- list, sources tried in order, from the tail (the FIFO end: oldest first) or, with ARGV[2] =
-- 'newest', from the head. KEYS = source1..sourceN, working1..workingN; from ARGV[3], for each
-- working list in turn: the number of its acks, then those jobs.
-- Returns {source1, job1, source2, job2, ...}. One script, so a job is always in exactly one list.
local n = #KEYS / 2

-- Removes ARGV[first..first+k-1] from `list`, one occurrence each. The finished jobs are usually
-- the k oldest, at the tail (jobs run in the order they were fetched): then, checked byte for
-- byte as a multiset, one LTRIM drops them all. Otherwise one LREM each, from the tail.
local function ack(list, first, k)
  local tail = redis.call('LRANGE', list, -k, -1)
  if #tail == k then
    local acked = {}
    for j = first, first + k - 1 do acked[ARGV[j]] = (acked[ARGV[j]] or 0) + 1 end
    local all = true
    for _, job in ipairs(tail) do
      local left = acked[job]
      if not left or left == 0 then
        all = false
        break
      end
      acked[job] = left - 1
    end
    if all then
      redis.call('LTRIM', list, 0, -k - 1)
      return
    end
  end
  for j = first, first + k - 1 do redis.call('LREM', list, -1, ARGV[j]) end
end

local at = 3
for i = 1, n do
  local k = tonumber(ARGV[at])
  if k > 0 then ack(KEYS[n + i], at + 1, k) end
  at = at + 1 + k
end

local want = tonumber(ARGV[1])
local pop = ARGV[2] == 'newest' and 'LPOP' or 'RPOP'
local out = {}
for i = 1, n do
  if want <= 0 then break end
  local jobs = redis.call(pop, KEYS[i], want)
  if jobs then
    redis.call('LPUSH', KEYS[n + i], unpack(jobs))
    for _, job in ipairs(jobs) do
      out[#out + 1] = KEYS[i]
      out[#out + 1] = job
    end
    want = want - #jobs
  end
end
return out
