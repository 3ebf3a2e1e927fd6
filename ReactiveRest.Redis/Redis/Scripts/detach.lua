-- A connection stops delivering a subscription: records the position the subscriber was sent up to ('unknown' when it
-- cannot be resumed) and, for a known position, the result at that position, from which a backlog trimmed off the
-- log can still be collapsed into one diff.
-- KEYS[1] subscriptions (hash)   KEYS[2] snapshots (hash: seq -> result)
-- ARGV[1] subscriber id   ARGV[2] live marker of the connection   ARGV[3] position or 'unknown'
-- ARGV[4] result at that position ('' for none)   ARGV[5] snapshots kept at most
-- Returns 1 when recorded, 0 when another connection (or an unsubscribe) owns the subscription now.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] ~= '' then
  redis.call('HSETNX', KEYS[2], ARGV[3], ARGV[4])
  local count = redis.call('HLEN', KEYS[2])
  if count > tonumber(ARGV[5]) then
    local seqs = redis.call('HKEYS', KEYS[2])
    table.sort(seqs, function(a, b) return tonumber(a) < tonumber(b) end)
    for i = 1, count - tonumber(ARGV[5]) do redis.call('HDEL', KEYS[2], seqs[i]) end
  end
end
return 1
