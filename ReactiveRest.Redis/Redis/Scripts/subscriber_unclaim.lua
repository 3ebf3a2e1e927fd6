-- Gives back a claim on a subscriber id that its user may not hold (a quota refused it): the id is nobody's again,
-- unless it was used meanwhile (a subscription or a connection made the claim permanent).
-- KEYS[1] owner (string)   KEYS[2] the subscriber's observers (set)   ARGV[1] user
-- Returns 1 when given back.
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('TTL', KEYS[1]) < 0 or redis.call('SCARD', KEYS[2]) > 0 then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
