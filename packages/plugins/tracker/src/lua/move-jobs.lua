-- Moves up to ARGV[1] jobs from the tail of each source list (the FIFO end) into its working list,
-- sources tried in order. KEYS = source1..sourceN, working1..workingN. Returns
-- {source1, job1, source2, job2, ...}. One script, so a job is always in exactly one list.
local n = #KEYS / 2
local want = tonumber(ARGV[1])
local out = {}
for i = 1, n do
  if want <= 0 then break end
  local jobs = redis.call('RPOP', KEYS[i], want)
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
