-- Ends a subscriber whose grace period is over: deletes its side of every subscription and leaves a tombstone, so
-- that a later connection under the same id is told which observers are gone. Does nothing when the subscriber is
-- served by a replica other than the one the caller found dead.
-- KEYS[1] subscriber (hash)   KEYS[2] the subscriber's observers (set)   KEYS[3] tombstone (string)   KEYS[4] owner (string)
-- ARGV[1] the replica the caller found dead ('' when the subscriber was not connected)   ARGV[2] tombstone time (s)
-- Returns {'connected'} or {'dropped', owner ('' when none), observer ids...}.
local replica = redis.call('HGET', KEYS[1], 'replica') or ''
if replica ~= '' and replica ~= ARGV[1] then
  return {'connected'}
end
local observers = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2])
if #observers > 0 then
  redis.call('SET', KEYS[3], table.concat(observers, ' '), 'EX', ARGV[2])
end
-- The id stays its user's as long as the tombstone lasts; then anyone may use it afresh.
redis.call('EXPIRE', KEYS[4], ARGV[2])
local reply = {'dropped', redis.call('GET', KEYS[4]) or ''}
for _, observer in ipairs(observers) do table.insert(reply, observer) end
return reply
