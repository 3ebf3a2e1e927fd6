-- Reads the messages of an observer's log with seq in (after, upTo].
-- KEYS[1] observer state (hash)   KEYS[2] log (list)   ARGV[1] after   ARGV[2] up to
-- Returns the messages, or false when the log no longer holds the first of them (trimmed, or the observer is gone).
local first = tonumber(redis.call('HGET', KEYS[1], 'first'))
if not first or tonumber(ARGV[1]) + 1 < first then
  return false
end
return redis.call('LRANGE', KEYS[2], tonumber(ARGV[1]) + 1 - first, tonumber(ARGV[2]) - first)
