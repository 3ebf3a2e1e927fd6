-- A WebSocket connection takes over delivery of one subscription: marks it live (so that, if this replica dies, the
-- next connection knows the position is unknown rather than replaying from a stale one) and reads where it stood.
-- Must complete before the first message of the subscription is sent.
-- KEYS[1] subscriptions (hash)   KEYS[2] observer state (hash)
-- ARGV[1] subscriber id   ARGV[2] live marker ('live:<connection>')   ARGV[3] the record expected ('' for any)
-- Returns {'none'}, {'moved', record}, or {'attached', previous record, seq, first, incarnation}.
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then
  return {'none'}
end
if ARGV[3] ~= '' and record ~= ARGV[3] then
  return {'moved', record}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local state = redis.call('HMGET', KEYS[2], 'seq', 'first', 'incarnation')
return {'attached', record, state[1], state[2], state[3]}
