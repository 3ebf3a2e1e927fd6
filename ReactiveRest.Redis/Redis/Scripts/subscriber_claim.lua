-- A new WebSocket connection becomes the one that serves a subscriber.
-- KEYS[1] subscriber (hash: replica, connection)   ARGV[1] replica id   ARGV[2] connection id
-- Returns {previous replica, previous connection} ('' when none).
local previous = redis.call('HMGET', KEYS[1], 'replica', 'connection')
redis.call('HSET', KEYS[1], 'replica', ARGV[1], 'connection', ARGV[2])
return {previous[1] or '', previous[2] or ''}
