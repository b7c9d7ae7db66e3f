-- Puts jobs back at the fetch end of their queues, each only if it was still in its working list
-- (so a job another process already recovered is not pushed twice). KEYS = queues set, then
-- (working list, queue list) pairs; ARGV = (job as held, job as pushed) pairs. Returns the count.
local pushed = 0
for i = 1, #ARGV / 2 do
  local working, queue = KEYS[2 * i], KEYS[2 * i + 1]
  if redis.call('LREM', working, -1, ARGV[2 * i - 1]) == 1 then
    redis.call('RPUSH', queue, ARGV[2 * i])
    redis.call('SADD', KEYS[1], string.sub(queue, 7))
    pushed = pushed + 1
  end
end
return pushed
