import { ConfigService } from '@nestjs/config';
import type { TypeOrmModuleAsyncOptions } from '@nestjs/typeorm';
import {
  AddJwtSessionTokenVersion1764000000000,
  CreateJwtRevocationState1764200000000,
  CreateJwtSessions1763900000000,
  JwtRevocationStateEntity,
  JwtSessionEntity,
} from 'nestjs-jwt-revocation/typeorm';
import type { AppEnv } from '../config';
import { User } from '../users/user.entity';
import { CreateUsers1763800000000 } from './migrations/1763800000000-create-users';
import { UsersEmailExactMatch1763850000000 } from './migrations/1763850000000-users-email-exact-match';
import { AddUserRoles1764100000000 } from './migrations/1764100000000-add-user-roles';

/** TypeOrmModule.forRootAsync options: the connection from DATABASE_URL, the schema from migrations. */
export const typeOrmModuleOptions: TypeOrmModuleAsyncOptions = {
  inject: [ConfigService],
  useFactory: (config: ConfigService<AppEnv, true>) => ({
    ...config.get('app.database', { infer: true }),
    entities: [User, JwtSessionEntity, JwtRevocationStateEntity],
    // The schema comes from migrations (ours and the library's), never from synchronize.
    migrations: [CreateUsers1763800000000, UsersEmailExactMatch1763850000000, CreateJwtSessions1763900000000,
      AddJwtSessionTokenVersion1764000000000,
      AddUserRoles1764100000000,
      CreateJwtRevocationState1764200000000,
    ],
    migrationsRun: true,
  }),
};
