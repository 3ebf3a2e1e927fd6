-- Takes one place of a user's quota: a member (an observer, a subscriber id, a socket) joins the user's set unless the
-- set holds the most allowed already. A member already in the set takes no new place.
-- KEYS[1] the user's set of the quota   ARGV[1] member   ARGV[2] the most members allowed
-- Returns 1 when the member holds a place, 0 when the quota is full (the count is then appended: {0, count}).
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  return {1}
end
local count = redis.call('SCARD', KEYS[1])
if count >= tonumber(ARGV[2]) then
  return {0, count}
end
redis.call('SADD', KEYS[1], ARGV[1])
return {1}
