-- Extends a lock the caller still holds, so a long evaluation keeps it and a stalled one loses it.
-- KEYS[1] lock (string)   ARGV[1] token   ARGV[2] lock time (ms)
-- Returns 1 when extended, 0 when the lock was no longer the caller's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
