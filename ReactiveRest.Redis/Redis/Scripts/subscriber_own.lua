-- Binds a subscriber id to the user who first uses it, and lets only that user use it later (connect, observe). Before a
-- subscription, also checks that the subscriber may subscribe to one more observer.
-- KEYS[1] owner (string)   KEYS[2] the subscriber's observers (set)
-- ARGV[1] user   ARGV[2] the observer about to be subscribed ('' when none)   ARGV[3] the most observers a subscriber may have
-- Returns 1 when allowed, 0 when the id belongs to another user, -1 when the subscriber is at its observer limit.
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then
  return 0
end
if owner then
  -- In use again: no longer expiring with the tombstone of an ended subscriber.
  redis.call('PERSIST', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
if ARGV[2] ~= '' and redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  return -1
end
return 1
