import type { Redis } from 'ioredis';
import type { TokenVersionStore } from '../../revocation/token-version-store.interface';
import { EPOCH_PRELUDE, EPOCH_SPAN, RedisEpoch } from './redis-epoch';
import type { RedisKeys } from './redis-keys';
import { RedisScript } from './redis-script';

// KEYS[2] = the user's counter, ARGV[3] = its lifetime in ms, ARGV[4] = now in ms. Reading or
// raising a counter keeps it at least as long as a token carrying it can be issued; a session
// bound to it extends it to the session's end (see CREATE_SESSION). Expiry is never shortened:
// once a counter is gone no token or session bound to any of its values is alive.
const KEEP_COUNTER = `
local function keep_counter(key, lifetime, now)
  local ttl = redis.call('PTTL', key)
  if ttl < lifetime then redis.call('PEXPIREAT', key, now + lifetime) end
end
`;

const GET_VERSION = new RedisScript(`${EPOCH_PRELUDE}${KEEP_COUNTER}
local epoch = current_epoch()
local counter = redis.call('GET', KEYS[2])
if counter then keep_counter(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4])) else counter = 0 end
return { epoch, tonumber(counter) }
`);

const INCREMENT_VERSION = new RedisScript(`${EPOCH_PRELUDE}${KEEP_COUNTER}
local epoch = current_epoch()
local counter = tonumber(redis.call('GET', KEYS[2]) or '0')
if counter + 1 >= ${EPOCH_SPAN} then return redis.error_reply('token version counter exhausted for this user') end
counter = redis.call('INCR', KEYS[2])
keep_counter(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
return { epoch, counter }
`);

/**
 * Token versions kept in Redis only, for apps whose users live elsewhere: every user exists,
 * starting at the current epoch's base version. Each read and increment is one Lua script.
 */
export class RedisTokenVersionStore implements TokenVersionStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
    private readonly epoch: RedisEpoch,
    private readonly lifetimeMs: number,
  ) {}

  async getVersion(userId: string): Promise<number | null> {
    return this.run(GET_VERSION, userId);
  }

  async incrementVersion(userId: string): Promise<boolean> {
    await this.run(INCREMENT_VERSION, userId);
    return true;
  }

  private async run(script: RedisScript, userId: string): Promise<number> {
    const [epoch, counter] = (await script.run(this.client, [this.keys.marker, this.keys.version(userId)], [
      ...this.epoch.scriptArgs(),
      this.lifetimeMs,
      Date.now(),
    ])) as [number, number];
    this.epoch.observe(epoch);
    return this.epoch.version(epoch, counter);
  }
}
