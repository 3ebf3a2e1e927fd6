-- Removes an observer from a dependency or registry index, but only the incarnation that was dropped: a new
-- incarnation created meanwhile by a concurrent subscribe keeps its entry.
-- KEYS[1] index (hash: observer -> incarnation)   ARGV[1] observer id   ARGV[2] incarnation dropped
-- Returns 1 when removed.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
