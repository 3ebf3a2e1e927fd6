-- Repairs an observer whose stored result a verification found different from a fresh evaluation, fenced by the
-- verification's lock token and by the seq it verified: appends the repair's resync run (already numbered from seq + 1)
-- to the log, publishes it to the replicas, and stores the fresh result and digest even when the run is empty (only the
-- stored copy was damaged). The changes counters are left alone: a verification covers no change. Releases the lock
-- unless changes arrived meanwhile (the caller then evaluates them under the same lock).
-- KEYS[1] observer state (hash)   KEYS[2] log (list)   KEYS[3] evaluation lock (string)
-- ARGV[1] lock token   ARGV[2] incarnation   ARGV[3] seq the run follows   ARGV[4] result (JSON array)
-- ARGV[5] digest of the result   ARGV[6] log cap (messages)   ARGV[7] feed channel   ARGV[8] feed header
-- ARGV[9..] the run's messages
-- Returns {'fenced'} when the lock, the observer or its seq is no longer what was verified, else {'repaired', seq, behind (1/0)}.
local state, log, lock = KEYS[1], KEYS[2], KEYS[3]
if redis.call('GET', lock) ~= ARGV[1] then
  return {'fenced'}
end

local current = redis.call('HMGET', state, 'incarnation', 'seq', 'changes', 'evaluated')
if current[1] ~= ARGV[2] or current[2] ~= ARGV[3] then
  return {'fenced'}
end

local first_message = 9
local count = #ARGV - first_message + 1
local seq = tonumber(ARGV[3]) + count
if count > 0 then
  for from = first_message, #ARGV, 500 do
    redis.call('RPUSH', log, unpack(ARGV, from, math.min(from + 499, #ARGV)))
  end
  local length = redis.call('LLEN', log)
  local cap = tonumber(ARGV[6])
  if length > cap then
    redis.call('LTRIM', log, length - cap, -1)
    redis.call('HINCRBY', state, 'first', length - cap)
  end
  redis.call('PUBLISH', ARGV[7], ARGV[8] .. ' ' .. (seq - count + 1) .. '\n' .. table.concat(ARGV, '\n', first_message))
end
redis.call('HSET', state, 'result', ARGV[4], 'digest', ARGV[5], 'seq', seq)
redis.call('HINCRBY', state, 'repairs', 1)

local behind = tonumber(current[3]) > tonumber(current[4])
if not behind then
  redis.call('DEL', lock)
end
return {'repaired', seq, behind and 1 or 0}
