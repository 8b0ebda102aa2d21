import { ConfigService } from '@nestjs/config';
import type { TypeOrmModuleAsyncOptions } from '@nestjs/typeorm';
import {
  AddJwtSessionTokenVersion1764000000000,
  CreateJwtRevocationState1764200000000,
  CreateJwtSessions1763900000000,
  JwtRevocationStateEntity,
  JwtSessionEntity,
} from 'nestjs-jwt-revocation/typeorm';
import type { AppEnv, DatabaseConfig } from '../config';
import { DATABASE_TIMEOUTS } from './database-call';
import { User } from '../users/user.entity';
import { CreateUsers1763800000000 } from './migrations/1763800000000-create-users';
import { UsersEmailExactMatch1763850000000 } from './migrations/1763850000000-users-email-exact-match';
import { AddUserRoles1764100000000 } from './migrations/1764100000000-add-user-roles';

/** TypeOrmModule.forRootAsync options: the connection from DATABASE_URL, the schema from migrations. */
export const typeOrmModuleOptions: TypeOrmModuleAsyncOptions = {
  inject: [ConfigService],
  useFactory: (config: ConfigService<AppEnv, true>) => ({
    ...config.get('app.database', { infer: true }),
    ...driverTimeouts(config.get('app.database.type', { infer: true })),
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

/**
 * A silent or slow database must not hold requests or pool connections without end: bounded
 * connects, bounded waits for a pooled connection, bounded queries (client side, and server side
 * for PostgreSQL), TCP keep-alive so a dead link is noticed. Requests themselves are bounded
 * sooner (the library's storeTimeoutMs, the demo's databaseCall); these free the connections.
 */
function driverTimeouts(type: DatabaseConfig['type']): Record<string, unknown> {
  if (type === 'postgres') {
    return {
      connectTimeoutMS: DATABASE_TIMEOUTS.connectMs,
      extra: {
        connectionTimeoutMillis: DATABASE_TIMEOUTS.connectMs, // also bounds the wait for a pooled connection
        query_timeout: DATABASE_TIMEOUTS.queryMs,
        statement_timeout: DATABASE_TIMEOUTS.queryMs,
        keepAlive: true,
      },
    };
  }
  if (type === 'mysql' || type === 'mariadb') {
    return {
      connectTimeout: DATABASE_TIMEOUTS.connectMs,
      enableQueryTimeout: true,
      maxQueryExecutionTime: DATABASE_TIMEOUTS.queryMs,
      extra: { enableKeepAlive: true },
    };
  }
  return {};
}
