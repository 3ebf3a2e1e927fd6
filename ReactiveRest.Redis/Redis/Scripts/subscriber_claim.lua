-- A new WebSocket connection becomes the one that serves a subscriber; its id's claim becomes permanent.
-- KEYS[1] subscriber (hash: replica, connection)   KEYS[2] owner (string)   ARGV[1] replica id   ARGV[2] connection id
-- Returns {previous replica, previous connection} ('' when none).
local previous = redis.call('HMGET', KEYS[1], 'replica', 'connection')
redis.call('HSET', KEYS[1], 'replica', ARGV[1], 'connection', ARGV[2])
redis.call('PERSIST', KEYS[2])
return {previous[1] or '', previous[2] or ''}
