-- Takes an observer's evaluation lock and reads what an evaluation needs. The definition and the result are sent only
-- when the caller's cached copy is not current, since a result can hold a thousand items.
-- KEYS[1] observer state (hash)   KEYS[2] evaluation lock (string)
-- ARGV[1] lock token   ARGV[2] lock time (ms)   ARGV[3] incarnation the caller has cached ('' for none)
-- ARGV[4] seq of the caller's cached result
-- Returns {'gone'}, {'busy'}, or {'acquired', seq, changes, evaluated, incarnation, definition|false, result|false}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'gone'}
end

if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {'busy'}
end

local v = redis.call('HMGET', KEYS[1], 'seq', 'changes', 'evaluated', 'incarnation')
local cached = v[4] == ARGV[3]
local definition = false
local result = false
if not cached then
  definition = redis.call('HGET', KEYS[1], 'def')
end
if not cached or v[1] ~= ARGV[4] then
  result = redis.call('HGET', KEYS[1], 'result')
end
return {'acquired', v[1], v[2], v[3], v[4], definition, result}
