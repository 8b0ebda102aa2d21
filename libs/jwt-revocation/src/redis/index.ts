// nestjs-jwt-revocation/redis: cross-instance invalidation over Redis pub/sub, and token versions
// and sessions kept in Redis alone (ioredis).
export { RedisRevocationBroadcaster, type RedisBroadcasterOptions } from './redis-revocation.broadcaster';
export { RedisClusterRevocationBroadcaster, type RedisClusterBroadcasterOptions } from './redis-cluster-revocation.broadcaster';
export { JwtRevocationRedisStoreModule, type JwtRevocationRedisStoreOptions } from './store/jwt-revocation-redis-store.module';
export { RedisRevocationStores, type RedisStoreOptions } from './store/redis-revocation.stores';
export { RedisTokenVersionStore } from './store/redis-token-version.store';
export { RedisSessionStore } from './store/redis-session.store';
