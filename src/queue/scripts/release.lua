-- Ends a lease, and optionally schedules the job to run again later.
--
-- KEYS[1] lease deadlines zset
-- KEYS[2] lease tokens hash
-- KEYS[3] delayed zset
-- ARGV[1] job id
-- ARGV[2] lease token
-- ARGV[3] delay before the job is ready again (ms), or -1 to drop it from the queue
-- Returns 1 when released, 0 when the lease is no longer this token's.
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
local delay = tonumber(ARGV[3])
if delay >= 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[3], now + delay, ARGV[1])
end
return 1
