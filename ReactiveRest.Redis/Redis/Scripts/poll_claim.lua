-- Claims one due evaluation of a polled observer, so that one replica, not every one, evaluates it per interval.
-- KEYS[1] polled observers (sorted set: observer -> next due time)   ARGV[1] observer id   ARGV[2] the due time read
-- ARGV[3] the next due time
-- Returns 1 when claimed.
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
  return 1
end
return 0
