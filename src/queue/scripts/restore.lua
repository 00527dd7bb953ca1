-- Puts job ids back on the ready list unless Redis already tracks them.
--
-- KEYS[1] ready list
-- KEYS[2] delayed zset
-- KEYS[3] lease deadlines zset
-- ARGV    job ids that Postgres says should be queued or re-leased
-- Returns the ids that were missing and are now ready.
--
-- One script, so a job cannot be pushed twice by two replicas reconciling at
-- once, nor pushed while another replica leases it.
local restored = {}
for _, id in ipairs(ARGV) do
  local tracked = redis.call('ZSCORE', KEYS[2], id)
    or redis.call('ZSCORE', KEYS[3], id)
    or redis.call('LPOS', KEYS[1], id)
  if not tracked then
    redis.call('LPUSH', KEYS[1], id)
    table.insert(restored, id)
  end
end
return restored
