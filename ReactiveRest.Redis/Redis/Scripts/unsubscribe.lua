-- Ends one subscription; an observer left without subscribers is dropped with all its state.
-- KEYS[1] observer state   KEYS[2] subscriptions   KEYS[3] log   KEYS[4] snapshots   KEYS[5] evaluation lock
-- ARGV[1] subscriber id
-- Returns {0} when there was no such subscription, {1, 0} when it ended, {1, 1, definition, incarnation} when the
-- observer was dropped too (the caller then removes it from the dependency index).
if redis.call('HDEL', KEYS[2], ARGV[1]) == 0 then
  return {0}
end
if redis.call('HLEN', KEYS[2]) > 0 then
  return {1, 0}
end
local gone = redis.call('HMGET', KEYS[1], 'def', 'incarnation')
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return {1, 1, gone[1] or '', gone[2] or ''}
