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

  /** Raised by logout-all and password changes; tokens carrying an older value are refused. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;
}
