// nestjs-jwt-revocation/redis: cross-instance invalidation over Redis pub/sub (ioredis).
export { RedisRevocationBroadcaster, type RedisBroadcasterOptions } from './redis-revocation.broadcaster';
