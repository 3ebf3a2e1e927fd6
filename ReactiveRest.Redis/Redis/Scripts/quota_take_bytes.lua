-- Records how many bytes an observer of a user stores, unless the user's observers would then store more than allowed.
-- An observer that stores no more than it did before is always allowed (it only keeps what it had).
-- KEYS[1] the user's hash: observer id -> bytes, and field '' -> their sum
-- ARGV[1] observer id   ARGV[2] its bytes now   ARGV[3] the most bytes allowed
-- Returns {1, sum} when recorded, {0, sum} when refused.
local before = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local sum = tonumber(redis.call('HGET', KEYS[1], '') or '0')
local bytes = tonumber(ARGV[2])
local after = sum - before + bytes
if bytes > before and after > tonumber(ARGV[3]) then
  return {0, sum}
end
redis.call('HSET', KEYS[1], ARGV[1], bytes, '', after)
return {1, after}
