import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The bench's users table: the library reads `tokenVersion` by primary key. */
@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 254, unique: true })
  email!: string;

  @Column({ type: 'integer', default: 0 })
  tokenVersion!: number;
}
