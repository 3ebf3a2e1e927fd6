-- After Redis was unreachable or lost its data, a replica asserts again that it serves a subscriber, unless another
-- connection took the subscriber over meanwhile.
-- KEYS[1] subscriber (hash: replica, connection)   ARGV[1] replica id   ARGV[2] connection id
-- Returns 1 when the connection still serves the subscriber, 0 when another one does.
local connection = redis.call('HGET', KEYS[1], 'connection')
if connection and connection ~= '' and connection ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'replica', ARGV[1], 'connection', ARGV[2])
return 1
