-- Settles a batch of consumed entries atomically: per entry, ack, outputs and job tally.
-- KEYS[1] input stream, KEYS[2] completion stream, KEYS[3..] tally hashes and output streams
-- ARGV[1] group, ARGV[2] entry count; then per entry: entry id, tally key index (0: untallied),
-- tally delta, completion payload, output count, and per output a key index and a payload.
-- Returns one flag per entry: 1 settled here, 0 already settled by another replica.
local at, settled = 3, {}
for n = 1, tonumber(ARGV[2]) do
  local entry, tally, delta = ARGV[at], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  local done, outputs = ARGV[at + 3], tonumber(ARGV[at + 4])
  at = at + 5
  if redis.call('XACK', KEYS[1], ARGV[1], entry) == 1 then
    settled[n] = 1
    for i = 0, outputs - 1 do
      redis.call('XADD', KEYS[tonumber(ARGV[at + 2 * i])], '*', '__data__', ARGV[at + 2 * i + 1])
    end
    if tally > 0 then
      local left = redis.call('HINCRBY', KEYS[tally], 'outstanding', delta)
      if left == 0 and delta < 0 then
        redis.call('XADD', KEYS[2], '*', '__data__', done)
      end
    end
  else
    -- another replica settled this entry first: its outputs stand, ours are dropped
    settled[n] = 0
  end
  at = at + 2 * outputs
end
return settled
