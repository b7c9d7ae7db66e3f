-- Moves one job from a working list to the dead set, if it was still there.
-- KEYS = working list, dead set; ARGV = job as held, job as buried, score. Returns 1 if moved.
if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  return 1
end
return 0
