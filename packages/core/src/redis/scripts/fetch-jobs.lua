-- Takes up to ARGV[1] jobs from the queue lists KEYS, in that order, from the tail (Sidekiq's FIFO
-- end). Returns {key1, job1, key2, job2, ...}. Payload strings are moved as they are.
local want = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  if want <= 0 then break end
  local jobs = redis.call('RPOP', KEYS[i], want)
  if jobs then
    for _, job in ipairs(jobs) do
      out[#out + 1] = KEYS[i]
      out[#out + 1] = job
    end
    want = want - #jobs
  end
end
return out
