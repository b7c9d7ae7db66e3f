-- Takes one jid from a dead instance's tracked set into this instance's set and returns it with
-- the job copy (or false when the set is empty). KEYS = dead set, own set; ARGV[1] = the prefix of
-- job copy keys ("<ns>:job:"). SPOP: two recoverers never take the same jid.
local jid = redis.call('SPOP', KEYS[1])
if not jid then return false end
redis.call('SADD', KEYS[2], jid)
return {jid, redis.call('GET', ARGV[1] .. jid)}
