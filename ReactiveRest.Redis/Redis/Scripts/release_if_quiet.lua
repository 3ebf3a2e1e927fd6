-- Releases an observer's lock held by a verification, unless changes were counted that no evaluation covers yet: an
-- evaluation triggered meanwhile found the lock taken and left them to its holder, which must then evaluate them.
-- KEYS[1] observer state (hash)   KEYS[2] evaluation lock (string)   ARGV[1] lock token
-- Returns 1 when released, 0 when still held (changes to evaluate), -1 when the lock is no longer the caller's.
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return -1
end

local v = redis.call('HMGET', KEYS[1], 'changes', 'evaluated')
if tonumber(v[1] or '0') > tonumber(v[2] or '0') then
  return 0
end

redis.call('DEL', KEYS[2])
return 1
