-- Commits one evaluation of an observer, fenced by its lock token: appends the messages (already numbered from
-- seq + 1) to the observer's log, trims the log to its cap, stores the new result, publishes the messages to the
-- replicas, and releases the lock unless changes arrived meanwhile. Optionally subscribes a subscriber at the new seq
-- (an observe GET that found the observer's result out of date evaluated under the lock).
-- KEYS[1] observer state (hash)   KEYS[2] log (list)   KEYS[3] evaluation lock (string)   KEYS[4] subscriptions (hash)
-- ARGV[1] lock token   ARGV[2] incarnation   ARGV[3] seq the messages follow   ARGV[4] changes this evaluation covers
-- ARGV[5] result (JSON array)   ARGV[6] digest of the result   ARGV[7] log cap (messages)   ARGV[8] feed channel
-- ARGV[9] feed header (observer, incarnation, trace, commit time)   ARGV[10] release the lock if not behind (1/0)
-- ARGV[11] subscriber to subscribe at the new seq ('' for none)   ARGV[12..] the messages
-- Returns {'fenced'} when the lock or the observer is no longer the caller's, else {'committed', seq, behind (1/0)}.
local state, log, lock, subscriptions = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('GET', lock) ~= ARGV[1] then
  return {'fenced'}
end

local current = redis.call('HMGET', state, 'incarnation', 'seq', 'changes', 'evaluated')
if current[1] ~= ARGV[2] or current[2] ~= ARGV[3] then
  return {'fenced'}
end

local first_message = 12
local count = #ARGV - first_message + 1
local seq = tonumber(ARGV[3]) + count
if count > 0 then
  -- In slices: unpack of thousands of values would overflow Lua's stack.
  for from = first_message, #ARGV, 500 do
    redis.call('RPUSH', log, unpack(ARGV, from, math.min(from + 499, #ARGV)))
  end
  local length = redis.call('LLEN', log)
  local cap = tonumber(ARGV[7])
  if length > cap then
    redis.call('LTRIM', log, length - cap, -1)
    redis.call('HINCRBY', state, 'first', length - cap)
  end
  redis.call('HSET', state, 'result', ARGV[5], 'digest', ARGV[6], 'seq', seq)
  redis.call('PUBLISH', ARGV[8], ARGV[9] .. ' ' .. (seq - count + 1) .. '\n' .. table.concat(ARGV, '\n', first_message))
end

local covered = tonumber(ARGV[4])
if covered > tonumber(current[4]) then
  redis.call('HSET', state, 'evaluated', covered)
end
redis.call('HINCRBY', state, 'evaluations', 1)

if ARGV[11] ~= '' then
  redis.call('HSET', subscriptions, ARGV[11], seq)
end

local behind = tonumber(current[3]) > covered
if ARGV[10] == '1' and not behind then
  redis.call('DEL', lock)
end
return {'committed', seq, behind and 1 or 0}
