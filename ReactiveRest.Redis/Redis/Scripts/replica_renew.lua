-- A replica says it is alive. Its key expires unless renewed, so a dead replica is noticed without a round trip per
-- subscriber. When the key was missing (Redis restarted, lost its data, or the replica was cut off longer than the
-- key's lifetime), the replica must assert its connections again.
-- KEYS[1] replica key (string)   KEYS[2] replicas (set)   ARGV[1] replica id   ARGV[2] lifetime (ms)   ARGV[3] epoch
-- Returns 1 when the key was still there, 0 when the replica must assert its connections again.
local previous = redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2], 'GET')
redis.call('SADD', KEYS[2], ARGV[1])
if previous == ARGV[3] then
  return 1
end
return 0
