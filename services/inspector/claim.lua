-- Claims examples into a job's accepted set, atomically for a batch.
-- KEYS: exact (fingerprint -> owner id), decided (example id -> decision), vectors (list of
-- "<id>\0<float16 bytes>"). ARGV: ttl, the vectors' length the caller compared against,
-- then per candidate: id, near ("" or "<owner> <cosine>"), vector, fingerprint count, fingerprints.
-- Returns the vectors' length, then one decision per candidate: an earlier decision of the
-- same id (redelivery gets the same verdict), "duplicate <owner>", "near_duplicate <owner>
-- <cosine>", "kept", or "stale" when vectors were added since the caller compared them.
local ttl, expected = tonumber(ARGV[1]), tonumber(ARGV[2])
local stale = redis.call('LLEN', KEYS[3]) ~= expected
local out = {}
local i = 3
while i <= #ARGV do
  local id, near, vector, count = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  local prints = {}
  for k = 1, count do prints[k] = ARGV[i + 3 + k] end
  i = i + 4 + count
  local decision = redis.call('HGET', KEYS[2], id)
  if not decision then
    for _, fp in ipairs(prints) do
      local owner = redis.call('HGET', KEYS[1], fp)
      if owner and owner ~= id then decision = 'duplicate ' .. owner break end
    end
    if not decision then
      if stale then decision = 'stale'
      elseif near ~= '' then decision = 'near_duplicate ' .. near
      else
        decision = 'kept'
        for _, fp in ipairs(prints) do redis.call('HSETNX', KEYS[1], fp, id) end
        redis.call('RPUSH', KEYS[3], id .. '\0' .. vector)
      end
    end
    if decision ~= 'stale' then redis.call('HSET', KEYS[2], id, decision) end
  end
  out[#out + 1] = decision
end
if ttl > 0 then
  for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, ttl) end
end
table.insert(out, 1, redis.call('LLEN', KEYS[3]))
return out
