import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Name of the row holding the `logoutEveryone()` cutoff. */
export const REVOKED_BEFORE_ROW = 'revoked_before';

/**
 * Revocation state that concerns every user, one row per setting; today only the everyone-out
 * cutoff (`revoked_before`, epoch seconds). Created by `CreateJwtRevocationState1764200000000`;
 * add the entity to your `entities` if you use `synchronize` instead of migrations.
 */
@Entity('jwt_revocation_state')
export class JwtRevocationStateEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  name!: string;

  @Column({ type: 'bigint', default: 0, transformer: { to: (value: number) => value, from: (value: string | number) => Number(value) } })
  value!: number;
}
