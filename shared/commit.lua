-- Acknowledges one input entry and publishes its outputs atomically.
-- KEYS[1] input stream, KEYS[2] tally hash, KEYS[3] completion stream, KEYS[4..] output streams
-- ARGV[1] group, ARGV[2] entry id, ARGV[3] tally delta, ARGV[4] completion payload ('' = untallied),
-- ARGV[5..] output payloads, one per output stream
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  -- another replica already settled this entry: its outputs stand, ours are dropped
  return -1
end
for i = 4, #KEYS do
  redis.call('XADD', KEYS[i], '*', '__data__', ARGV[i + 1])
end
if ARGV[4] == '' then
  return 1
end
local delta = tonumber(ARGV[3])
local left = redis.call('HINCRBY', KEYS[2], 'outstanding', delta)
if left == 0 and delta < 0 then
  redis.call('XADD', KEYS[3], '*', '__data__', ARGV[4])
end
return 1
