import { Logger } from '@nestjs/common';

/**
 * Lua prelude shared by the version scripts: reads the data set's epoch from the marker key and,
 * when the marker is gone (restart without persistence, failover to an empty replica, FLUSHALL),
 * starts a new epoch later than any this process has seen. KEYS[1] = marker, ARGV[1] = the epoch
 * this process knows ('' if none), ARGV[2] = now in seconds.
 */
export const EPOCH_PRELUDE = `
local function current_epoch()
  local epoch = redis.call('GET', KEYS[1])
  if epoch then return tonumber(epoch) end
  local fresh = math.max(tonumber(ARGV[2]), (tonumber(ARGV[1]) or 0) + 1)
  redis.call('SET', KEYS[1], fresh)
  return fresh
end
`;

/** Per-user counters live below this; the version handed out is `epoch * SPAN + counter`. */
export const EPOCH_SPAN = 2 ** 21;

/**
 * Versions carry the epoch of the data set they were read from. After Redis loses its data a new,
 * larger epoch starts, so no version read before the loss can ever equal one read after it: every
 * token issued before the loss fails the version check, however many increments were lost.
 */
export class RedisEpoch {
  private readonly logger = new Logger('JwtRevocation');
  private known: number | undefined;

  /** ARGV[1] and ARGV[2] of EPOCH_PRELUDE. */
  scriptArgs(): [string, number] {
    return [this.known === undefined ? '' : String(this.known), Math.floor(Date.now() / 1000)];
  }

  /** Records the epoch a script saw; logs once when it moved, i.e. when Redis lost its data. */
  observe(epoch: number): void {
    if (this.known !== undefined && epoch !== this.known) {
      this.logger.error(
        `Redis lost the revocation data (its epoch marker was gone): every access token issued before ` +
          `${new Date().toISOString()} is now refused and users must sign in again. Run Redis with persistence ` +
          `(appendonly yes) and maxmemory-policy noeviction.`,
      );
    }
    if (this.known === undefined || epoch > this.known) this.known = epoch;
  }

  version(epoch: number, counter: number): number {
    return epoch * EPOCH_SPAN + counter;
  }
}
