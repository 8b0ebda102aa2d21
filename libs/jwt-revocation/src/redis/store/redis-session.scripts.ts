import { RedisScript } from './redis-script';

// Raises a key's expiry to `at` (ms) without ever shortening it.
const EXTEND = `
local function extend_to(key, at, now)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 or now + ttl < at then redis.call('PEXPIREAT', key, at) end
end
`;

/**
 * KEYS: session, user index, family index, endings, the user's version counter. ARGV: id,
 * createdAt, keyExpiresAt, endsAt, now, field/value pairs... The counter is created at 0 when
 * missing and kept until the session's key expires: a counter that expired and restarted at 0
 * would make a session bound to an older version valid again.
 */
export const CREATE_SESSION = new RedisScript(`${EXTEND}
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('session ' .. ARGV[1] .. ' already exists') end
local now = tonumber(ARGV[5])
local expires_at = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('PEXPIREAT', KEYS[1], expires_at)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
extend_to(KEYS[2], expires_at, now)
redis.call('SADD', KEYS[3], ARGV[1])
extend_to(KEYS[3], expires_at, now)
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
redis.call('SET', KEYS[5], 0, 'NX')
extend_to(KEYS[5], expires_at, now)
return 1
`);

/** KEYS: session, endings. ARGV: expected hash, id, new idleExpiresAt, field/value pairs... */
export const ROTATE_SESSION = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'revokedAt') == 1 then return 0 end
if redis.call('HGET', KEYS[1], 'refreshHash') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
local expires = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
redis.call('ZADD', KEYS[2], math.min(expires, tonumber(ARGV[3])), ARGV[2])
return 1
`);

/**
 * KEYS: user or family index, endings. ARGV: session key prefix, owner ('' = any), at, reason,
 * mode ('ids' | 'user' | 'family'), ids... Returns the ids it revoked.
 */
export const REVOKE_SESSIONS = new RedisScript(`
local ids
if ARGV[5] == 'ids' then ids = { unpack(ARGV, 6) }
elseif ARGV[5] == 'user' then ids = redis.call('ZRANGE', KEYS[1], 0, -1)
else ids = redis.call('SMEMBERS', KEYS[1]) end
local at = tonumber(ARGV[3])
local revoked = {}
for _, id in ipairs(ids) do
  local key = ARGV[1] .. id
  local s = redis.call('HMGET', key, 'userId', 'revokedAt', 'expiresAt', 'idleExpiresAt')
  if s[1] and (ARGV[2] == '' or s[1] == ARGV[2]) and not s[2] then
    redis.call('HSET', key, 'revokedAt', ARGV[3], 'revokeReason', ARGV[4])
    redis.call('ZADD', KEYS[2], math.min(tonumber(s[3]), tonumber(s[4]), at), id)
    revoked[#revoked + 1] = id
  end
end
return revoked
`);

/** KEYS: user index. ARGV: session key prefix. Every stored session of the user, newest first, as HGETALL lists. */
export const LIST_SESSIONS = new RedisScript(`
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', KEYS[1], 0, -1)) do
  local fields = redis.call('HGETALL', ARGV[1] .. id)
  if #fields > 0 then out[#out + 1] = fields else redis.call('ZREM', KEYS[1], id) end
end
return out
`);

/** KEYS: endings. ARGV: session, user and family key prefixes, endedBefore, batch size. Returns how many went. */
export const PURGE_SESSIONS = new RedisScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4], 'LIMIT', 0, tonumber(ARGV[5]))
for _, id in ipairs(ids) do
  local key = ARGV[1] .. id
  local s = redis.call('HMGET', key, 'userId', 'family')
  if s[1] then redis.call('ZREM', ARGV[2] .. s[1], id) end
  if s[2] then redis.call('SREM', ARGV[3] .. s[2], id) end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], id)
end
return #ids
`);
