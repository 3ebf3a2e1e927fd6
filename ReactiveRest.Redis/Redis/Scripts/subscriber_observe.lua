-- Records that a subscriber observes an observer (the subscriber's side of a subscription). A subscriber that observes
-- again is live, so the tombstone of its ended subscriptions, if any, is forgotten, and its id's claim is permanent.
-- KEYS[1] subscriber (hash: replica, connection)   KEYS[2] the subscriber's observers (set)   KEYS[3] tombstone (string)
-- KEYS[4] owner (string)
-- ARGV[1] observer id
-- Returns the replica serving the subscriber's WebSocket, or false when it is not connected.
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('PERSIST', KEYS[4])
local replica = redis.call('HGET', KEYS[1], 'replica')
if replica and replica ~= '' then
  return replica
end
return false
