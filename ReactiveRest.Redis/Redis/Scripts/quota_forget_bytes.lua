-- An observer of a user is gone: what it stored no longer counts.
-- KEYS[1] the user's hash: observer id -> bytes, and field '' -> their sum   ARGV[1] observer id
local before = redis.call('HGET', KEYS[1], ARGV[1])
if not before then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
local sum = tonumber(redis.call('HGET', KEYS[1], '') or '0') - tonumber(before)
if sum <= 0 or redis.call('HLEN', KEYS[1]) <= 1 then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], '', sum)
end
return 1
