-- Extends a live lease.
--
-- KEYS[1] lease deadlines zset
-- KEYS[2] lease tokens hash
-- ARGV[1] job id
-- ARGV[2] lease token
-- ARGV[3] lease duration (ms)
-- Returns 1 when renewed, 0 when the lease is no longer this token's.
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), ARGV[1])
return 1
