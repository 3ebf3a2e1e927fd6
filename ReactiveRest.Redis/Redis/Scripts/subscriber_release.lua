-- A WebSocket connection closed: the subscriber is no longer served, unless a newer connection took over.
-- KEYS[1] subscriber (hash: replica, connection)   ARGV[1] connection id
-- Returns 1 when released, 0 when another connection serves the subscriber.
if redis.call('HGET', KEYS[1], 'connection') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'replica', '', 'connection', '')
return 1
