-- Classifies a page's chunks against the shared dedup index and claims the new ones, in one
-- atomic step: two replicas refining near-duplicates at once cannot both keep theirs.
-- KEYS[1] exact hash (normalised key -> chunk id), KEYS[2] decisions (chunk id -> decision),
-- KEYS[3] signatures (chunk id -> MinHash values), KEYS[4] LSH buckets (band key -> ids)
-- ARGV[1] Jaccard threshold, ARGV[2] bytes per MinHash value, ARGV[3] ttl seconds (0: none),
-- ARGV[4] bands per chunk, then per chunk: id, exact key, signature, its band keys
-- Returns one decision per chunk: 'kept', 'duplicate <id>' or 'near_duplicate <id>'.
local threshold, width, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local nbands = tonumber(ARGV[4])

local function similar(a, b)
  if #a ~= #b then return false end
  local n, same = #a / width, 0
  for i = 0, n - 1 do
    local s = i * width + 1
    if string.sub(a, s, s + width - 1) == string.sub(b, s, s + width - 1) then same = same + 1 end
  end
  return same >= threshold * n
end

-- The first indexed chunk similar enough to this one, else nil and its buckets' members.
local function near(id, sig, bands)
  local buckets = redis.call('HMGET', KEYS[4], unpack(bands))
  for band = 1, nbands do
    if buckets[band] then
      for other in string.gmatch(buckets[band], '%S+') do
        local theirs = other ~= id and redis.call('HGET', KEYS[3], other)
        if theirs and similar(sig, theirs) then return other, nil end
      end
    end
  end
  return nil, buckets
end

local function claim(id, key, sig, bands, buckets)
  redis.call('HSET', KEYS[1], key, id)
  redis.call('HSET', KEYS[3], id, sig)
  local fields = {}
  for band = 1, nbands do
    fields[#fields + 1] = bands[band]
    fields[#fields + 1] = buckets[band] and (buckets[band] .. ' ' .. id) or id
  end
  redis.call('HSET', KEYS[4], unpack(fields))
end

local function decide(base)
  local id, key, sig = ARGV[base], ARGV[base + 1], ARGV[base + 2]
  -- A redelivered page gets the decisions it got the first time, never its own duplicate.
  local decision = redis.call('HGET', KEYS[2], id)
  if decision then return decision end
  local owner = redis.call('HGET', KEYS[1], key)
  if owner and owner ~= id then
    decision = 'duplicate ' .. owner
  else
    local bands = {unpack(ARGV, base + 3, base + 2 + nbands)}
    local other, buckets = near(id, sig, bands)
    if other then
      decision = 'near_duplicate ' .. other
    else
      claim(id, key, sig, bands, buckets)
      decision = 'kept'
    end
  end
  redis.call('HSET', KEYS[2], id, decision)
  return decision
end

local out = {}
for base = 5, #ARGV, 3 + nbands do
  out[#out + 1] = decide(base)
end
if ttl > 0 then
  for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
end
return out
