import type { RevocationBroadcaster } from 'nestjs-jwt-revocation';

/** The transports the propagation bench can measure (env BENCH_BROADCASTER, one per run). */
export type BroadcasterKind = 'redis' | 'postgres' | 'cluster' | 'sentinel' | 'nats';

/**
 * One broadcaster of `kind` on `channel`, from the bench's env: BENCH_REDIS_URL (redis),
 * BENCH_DATABASE_URL (postgres: LISTEN/NOTIFY on the bench database), BENCH_CLUSTER_NODES
 * (host:port,...), BENCH_SENTINELS (host:port,...) with BENCH_SENTINEL_NAME, BENCH_NATS_URL.
 * Each entry point is required only when measured, so a build without it still runs the others.
 */
export function benchBroadcaster(kind: BroadcasterKind, channel: string): RevocationBroadcaster {
  const hosts = (name: string) =>
    requiredEnv(name)
      .split(',')
      .map((hostPort) => ({ host: hostPort.split(':')[0], port: Number(hostPort.split(':')[1]) }));
  switch (kind) {
    case 'redis': {
      const { RedisRevocationBroadcaster } = require('nestjs-jwt-revocation/redis');
      return new RedisRevocationBroadcaster({ connection: requiredEnv('BENCH_REDIS_URL'), channel });
    }
    case 'postgres': {
      const { PostgresRevocationBroadcaster } = require('nestjs-jwt-revocation/postgres');
      return new PostgresRevocationBroadcaster({ connection: requiredEnv('BENCH_DATABASE_URL'), channel: channel.replace(/\W/g, '_') });
    }
    case 'cluster': {
      const { RedisClusterRevocationBroadcaster } = require('nestjs-jwt-revocation/redis');
      return new RedisClusterRevocationBroadcaster({ nodes: hosts('BENCH_CLUSTER_NODES'), channel });
    }
    case 'sentinel': {
      const { RedisRevocationBroadcaster } = require('nestjs-jwt-revocation/redis');
      const name = requiredEnv('BENCH_SENTINEL_NAME');
      return new RedisRevocationBroadcaster({ connection: { sentinels: hosts('BENCH_SENTINELS'), name, failoverDetector: true }, channel });
    }
    case 'nats': {
      const { NatsRevocationBroadcaster } = require('nestjs-jwt-revocation/nats');
      return new NatsRevocationBroadcaster({ servers: requiredEnv('BENCH_NATS_URL'), subject: channel.replace(/:/g, '.') });
    }
    default:
      throw new Error(`BENCH_BROADCASTER must be redis, postgres, cluster, sentinel or nats, got "${kind}"`);
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
