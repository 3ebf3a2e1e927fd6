-- Counts one change that may affect an observer (without recreating a dropped observer's state).
-- KEYS[1] observer state (hash)
-- Returns the new change count, or -1 when the observer no longer exists.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
return redis.call('HINCRBY', KEYS[1], 'changes', 1)
