-- Adds a batch of captured changes to the change stream and, in the same step, takes the entries not yet delivered
-- to any consumer (this one included) for the calling consumer: the relay hands them to its own process at once,
-- sparing a wake-up and a read on the path from a write to its subscribers.
-- KEYS[1] change stream   ARGV[1] consumer group   ARGV[2] consumer   ARGV[3] field   ARGV[4] value
-- ARGV[5] stream length kept (approximately)   ARGV[6] entries taken at most
-- Returns XREADGROUP's reply (an error NOGROUP when Redis lost the group: the entry is added all the same).
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', ARGV[3], ARGV[4])
return redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[6], 'STREAMS', KEYS[1], '>')
