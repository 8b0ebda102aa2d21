import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { SessionRecord } from '../sessions/session-record';

const millis = (name: string, nullable = false) => ({ type: new BigIntType('number'), fieldName: name, nullable });
const text = (name: string, length: number, nullable = false) => ({ type: 'string', fieldName: name, length, nullable });

/**
 * The `jwt_sessions` table as a MikroORM entity: add it to `entities` so the schema generator and
 * migrations create the table. An EntitySchema needs no decorators or reflect-metadata.
 */
export const JwtSessionEntity = new EntitySchema<SessionRecord>({
  name: 'JwtSession',
  tableName: 'jwt_sessions',
  properties: {
    id: { ...text('id', 36), primary: true },
    userId: { ...text('user_id', 255), index: 'idx_jwt_sessions_user' },
    family: { ...text('family', 36), index: 'idx_jwt_sessions_family' },
    refreshHash: text('refresh_hash', 64),
    previousRefreshHash: text('previous_refresh_hash', 64, true),
    generation: { type: 'integer', default: 0 },
    tokenVersion: { type: 'integer', fieldName: 'token_version', default: -1 },
    createdAt: millis('created_at'),
    lastUsedAt: millis('last_used_at'),
    rotatedAt: millis('rotated_at'),
    expiresAt: { ...millis('expires_at'), index: 'idx_jwt_sessions_expires' },
    idleExpiresAt: millis('idle_expires_at'),
    userAgent: text('user_agent', 512, true),
    ip: text('ip', 64, true),
    revokedAt: millis('revoked_at', true),
    revokeReason: text('revoke_reason', 32, true),
  },
});
