-- Binds a subscriber id to the user who first uses it, and lets only that user use it later (connect, observe). Before a
-- subscription, also checks that the subscriber may subscribe to one more observer.
-- A claim lasts ARGV[4] seconds unless it is used: a subscription (subscriber_observe) or a connection
-- (subscriber_claim) makes it permanent, and the end of the subscriber (subscriber_drop) gives it the tombstone's
-- lifetime. So an observe GET that fails, or a socket refused after its id was claimed, takes no id for ever.
-- KEYS[1] owner (string)   KEYS[2] the subscriber's observers (set)
-- ARGV[1] user   ARGV[2] the observer about to be subscribed ('' when none)   ARGV[3] the most observers a subscriber may have
-- ARGV[4] how long an unused claim lasts (seconds)
-- Returns 1 when allowed, 2 when allowed and this use claimed the id (it was nobody's), 0 when the id belongs to another
-- user, -1 when the subscriber is at its observer limit.
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then
  return 0
end
local unused = tonumber(ARGV[4])
local claimed = 1
if not owner then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', unused)
  claimed = 2
else
  -- Expiring (a new claim, or an ended subscriber's tombstone): at least long enough for this use to take hold.
  local ttl = redis.call('TTL', KEYS[1])
  if ttl >= 0 and ttl < unused then
    redis.call('EXPIRE', KEYS[1], unused)
  end
end
if ARGV[2] ~= '' and redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  return -1
end
return claimed
