-- Moves up to ARGV[1] jobs from each source list into its working list, sources tried in order,
-- from the tail (the FIFO end: oldest first) or, with ARGV[2] = 'newest', from the head.
-- KEYS = source1..sourceN, working1..workingN. Returns {source1, job1, source2, job2, ...}.
-- One script, so a job is always in exactly one list.
local n = #KEYS / 2
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
