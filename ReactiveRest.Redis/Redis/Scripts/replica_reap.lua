-- A replica's key expired: it died, or was cut off from Redis. Its subscribers start their grace period now; if it
-- was only cut off, it asserts its connections again when it returns, and the expiry spares a subscriber served by
-- a live replica.
-- KEYS[1] replica key (string)   KEYS[2] the replica's subscribers (set)   KEYS[3] disconnected subscribers (sorted
-- set: subscriber -> deadline)   KEYS[4] replicas (set)
-- ARGV[1] replica id   ARGV[2] deadline (unix ms)
-- Returns the number of subscribers whose grace period started, or -1 when the replica is alive again.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local subscribers = redis.call('SMEMBERS', KEYS[2])
for _, subscriber in ipairs(subscribers) do
  redis.call('ZADD', KEYS[3], 'GT', ARGV[2], subscriber)
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
return #subscribers
