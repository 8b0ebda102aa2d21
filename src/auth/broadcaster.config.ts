import type { RevocationBroadcaster } from 'nestjs-jwt-revocation';
import { NatsRevocationBroadcaster } from 'nestjs-jwt-revocation/nats';
import { PostgresRevocationBroadcaster } from 'nestjs-jwt-revocation/postgres';
import { RedisRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import { InvalidConfigError, type AppConfig } from '../config';
import { redisConnectionFrom } from './redis-connection';

export const BROADCASTER_KINDS = ['redis', 'postgres', 'nats'] as const;
export type BroadcasterKind = (typeof BROADCASTER_KINDS)[number];

/**
 * Which transport carries invalidations between instances (env BROADCASTER): `redis` (needs
 * REDIS_URL), `postgres` (LISTEN/NOTIFY on the PostgreSQL DATABASE_URL), `nats` (needs NATS_URL), or unset: Redis when
 * REDIS_URL is set, else the in-process default (a single instance). A bad value stops the start.
 */
export function broadcasterKind(app: Pick<AppConfig, 'broadcaster' | 'redisUrl' | 'natsUrl' | 'database'>): BroadcasterKind | undefined {
  const kind = app.broadcaster;
  if (kind === undefined) return app.redisUrl ? 'redis' : undefined;
  if (!(BROADCASTER_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidConfigError(`BROADCASTER must be one of ${BROADCASTER_KINDS.join(', ')} (or unset), got "${kind}"`);
  }
  if (kind === 'redis' && !app.redisUrl) throw new InvalidConfigError('BROADCASTER=redis needs REDIS_URL');
  if (kind === 'nats' && !app.natsUrl) throw new InvalidConfigError('BROADCASTER=nats needs NATS_URL (e.g. nats://127.0.0.1:4222)');
  if (kind === 'postgres' && app.database.type !== 'postgres') {
    throw new InvalidConfigError('BROADCASTER=postgres needs a PostgreSQL DATABASE_URL (postgres://...): LISTEN/NOTIFY runs on the app database');
  }
  return kind as BroadcasterKind;
}

/** The broadcaster the demo's settings select; undefined: the library's in-process default. */
export function broadcasterFor(app: AppConfig): RevocationBroadcaster | undefined {
  switch (broadcasterKind(app)) {
    case 'redis':
      return new RedisRevocationBroadcaster({ connection: redisConnectionFrom(app.redisUrl!) });
    case 'postgres':
      return new PostgresRevocationBroadcaster({ connection: (app.database as { url: string }).url });
    case 'nats':
      return new NatsRevocationBroadcaster({ servers: app.natsUrl!.split(',') });
    default:
      return undefined;
  }
}
