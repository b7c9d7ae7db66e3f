-- Ends the tracking of one recovered job and puts it where it goes: the fetch end of its queue, or
-- the dead set when ARGV[3] (a score) is given. KEYS = own set, job copy, destination, queues set;
-- ARGV = jid, job, score or '', queue name. Returns 1 if it was still tracked here and was moved.
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2])
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
else
  redis.call('RPUSH', KEYS[3], ARGV[2])
  redis.call('SADD', KEYS[4], ARGV[4])
end
return 1
