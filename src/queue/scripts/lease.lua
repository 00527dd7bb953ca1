-- Leases up to ARGV[3] job ids for one replica, after making due work ready.
--
-- KEYS[1] ready list (LPUSH in, RPOP out)
-- KEYS[2] delayed zset: job id -> time it becomes ready (ms)
-- KEYS[3] lease deadlines zset: job id -> deadline (ms)
-- KEYS[4] lease tokens hash: job id -> token of the live lease
-- ARGV[1] lease duration (ms)
-- ARGV[2] token prefix, unique to this call (replica id and a sequence number)
-- ARGV[3] most ids to lease
-- Returns { reaped, id1, token1, id2, token2, ... }
--
-- Time comes from the Redis server, so replicas with skewed clocks agree on
-- which leases have expired. Reaping removes the deadline first and re-queues
-- only what it removed, so two replicas can never both re-queue one lease.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(due) do
  if redis.call('ZREM', KEYS[2], id) == 1 then
    redis.call('LPUSH', KEYS[1], id)
  end
end

local reaped = 0
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(expired) do
  if redis.call('ZREM', KEYS[3], id) == 1 then
    redis.call('HDEL', KEYS[4], id)
    -- The tail is where RPOP takes from: an expired job runs next.
    redis.call('RPUSH', KEYS[1], id)
    reaped = reaped + 1
  end
end

local result = { reaped }
local deadline = now + tonumber(ARGV[1])
for i = 1, tonumber(ARGV[3]) do
  local id = redis.call('RPOP', KEYS[1])
  if not id then break end
  local token = ARGV[2] .. ':' .. i
  redis.call('ZADD', KEYS[3], deadline, id)
  redis.call('HSET', KEYS[4], id, token)
  table.insert(result, id)
  table.insert(result, token)
end
return result
