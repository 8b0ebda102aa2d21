import type { RevocationBroadcaster } from 'nestjs-jwt-revocation';

type RedisBroadcasterClass = new (options: { connection?: string; channel?: string }) => RevocationBroadcaster;

/**
 * `nestjs-jwt-revocation/redis` when the build has it, undefined otherwise, so the Redis
 * scenarios are skipped rather than breaking the whole benchmark.
 */
export function loadRedisBroadcaster(): RedisBroadcasterClass | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('nestjs-jwt-revocation/redis') as { RedisRevocationBroadcaster?: RedisBroadcasterClass }).RedisRevocationBroadcaster;
  } catch {
    return undefined;
  }
}
