import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const epochMillis = {
  to: (value: number | null) => value,
  // PostgreSQL and MySQL hand bigint back as a string.
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** A login session: add it to your DataSource `entities` (or run the shipped migration). */
@Entity('jwt_sessions')
export class JwtSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('idx_jwt_sessions_user')
  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @Index('idx_jwt_sessions_family')
  @Column({ type: 'varchar', length: 36 })
  family!: string;

  @Column({ name: 'refresh_hash', type: 'varchar', length: 64 })
  refreshHash!: string;

  @Column({ name: 'previous_refresh_hash', type: 'varchar', length: 64, nullable: true })
  previousRefreshHash!: string | null;

  @Column({ type: 'integer', default: 0 })
  generation!: number;

  /** -1 for rows written before the column existed (see AddJwtSessionTokenVersion1764000000000). */
  @Column({ name: 'token_version', type: 'integer', default: -1 })
  tokenVersion!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: number;

  @Column({ name: 'last_used_at', type: 'bigint', transformer: epochMillis })
  lastUsedAt!: number;

  @Column({ name: 'rotated_at', type: 'bigint', transformer: epochMillis })
  rotatedAt!: number;

  @Index('idx_jwt_sessions_expires')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillis })
  expiresAt!: number;

  @Column({ name: 'idle_expires_at', type: 'bigint', transformer: epochMillis })
  idleExpiresAt!: number;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMillis })
  revokedAt!: number | null;

  @Column({ name: 'revoke_reason', type: 'varchar', length: 32, nullable: true })
  revokeReason!: string | null;
}
