-- After Redis was unreachable or lost its data, a replica asserts again that it serves a subscriber, unless another
-- connection took the subscriber over meanwhile, or the id now belongs to another user. Lost data loses the id's
-- owner too: the connection's user binds it again.
-- KEYS[1] subscriber (hash: replica, connection)   KEYS[2] owner (string)
-- ARGV[1] replica id   ARGV[2] connection id   ARGV[3] the connection's user
-- Returns 1 when the connection still serves the subscriber, 0 when another connection or user has it.
local owner = redis.call('GET', KEYS[2])
if owner and owner ~= ARGV[3] then
  return 0
end
local connection = redis.call('HGET', KEYS[1], 'connection')
if connection and connection ~= '' and connection ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[1], 'replica', ARGV[1], 'connection', ARGV[2])
return 1
