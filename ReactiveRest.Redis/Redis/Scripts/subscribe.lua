-- Subscribes a subscriber to an observer, given the result its own GET just read. Creates the observer when it does
-- not exist (its result is that read, at seq 0); joins it when the observer's current result is exactly that read (the
-- subscriber then follows the log from the observer's seq); otherwise answers 'stale' and the caller evaluates the
-- query again under the observer's lock (see commit.lua's subscribe argument).
-- KEYS[1] observer state (hash)   KEYS[2] subscriptions (hash: subscriber -> position)   KEYS[3] snapshots (hash: seq -> result)
-- ARGV[1] definition (JSON)   ARGV[2] result (JSON array)   ARGV[3] digest of ARGV[2]   ARGV[4] incarnation if created
-- ARGV[5] subscriber id   ARGV[6] snapshots kept at most
-- Returns {'created'|'joined', seq, incarnation} or {'stale'}.
local state, subscriptions, snapshots = KEYS[1], KEYS[2], KEYS[3]

local function keep_snapshot(seq, result)
  -- The result at the subscriber's starting point, in case the log is trimmed past it before the subscriber connects.
  redis.call('HSETNX', snapshots, seq, result)
  local count = redis.call('HLEN', snapshots)
  if count > tonumber(ARGV[6]) then
    local seqs = redis.call('HKEYS', snapshots)
    table.sort(seqs, function(a, b) return tonumber(a) < tonumber(b) end)
    for i = 1, count - tonumber(ARGV[6]) do redis.call('HDEL', snapshots, seqs[i]) end
  end
end

if redis.call('EXISTS', state) == 0 then
  redis.call('HSET', state, 'def', ARGV[1], 'result', ARGV[2], 'digest', ARGV[3], 'seq', 0, 'first', 1,
    'changes', 0, 'evaluated', 0, 'incarnation', ARGV[4], 'evaluations', 0)
  redis.call('HSET', subscriptions, ARGV[5], '0')
  keep_snapshot('0', ARGV[2])
  return {'created', 0, ARGV[4]}
end

local current = redis.call('HMGET', state, 'digest', 'seq', 'incarnation')
if current[1] ~= ARGV[3] then
  return {'stale'}
end

redis.call('HSET', subscriptions, ARGV[5], current[2])
keep_snapshot(current[2], ARGV[2])
return {'joined', tonumber(current[2]), current[3]}
