// nestjs-jwt-revocation/postgres: cross-instance invalidation over PostgreSQL LISTEN/NOTIFY (node-postgres).
export { PostgresRevocationBroadcaster, type PostgresBroadcasterOptions } from './postgres-revocation.broadcaster';
export type { PostgresConnectionConfig, PostgresQueryable } from './pg-types';
export { MAX_NOTIFY_PAYLOAD_BYTES } from './notify-payloads';
