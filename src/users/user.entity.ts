import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
@Index('uq_users_email', ['email'], { unique: true })
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  /** Normalized (see email-address.ts); compared byte for byte, also on MySQL/MariaDB (migration 1763850000000). */
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  /** JSON array, e.g. ["user"] or ["admin"]; carried in the access token as the `roles` claim. */
  @Column({ type: 'varchar', length: 255, default: '["user"]', transformer: { to: (roles?: string[]) => (roles ? JSON.stringify(roles) : roles), from: parseRoles } })
  roles!: string[];

  /** Raised by logout-all and password changes; tokens carrying an older value are refused. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;
}

function parseRoles(stored: string | null): string[] {
  try {
    const roles: unknown = JSON.parse(stored ?? '[]');
    return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
  } catch {
    return [];
  }
}
