// nestjs-jwt-revocation/prisma: the stores over the app's own PrismaClient (Prisma 7 driver
// adapters or not), the module that builds them by DI, the JwtSession model and its SQL.
export { JwtRevocationPrismaModule, type JwtRevocationPrismaOptions } from './jwt-revocation-prisma.module';
export { PrismaTokenVersionStore } from './prisma-token-version.store';
export { PrismaSessionStore } from './prisma-session.store';
export type { PrismaStoreOptions, PrismaProvider } from './prisma-store.options';
export type { PrismaRawClient } from './prisma-raw-client';
export { JWT_SESSION_PRISMA_MODEL } from './jwt-session.prisma-model';
export type { UserTableOptions } from '../sql/sql-token-version.store';
export type { UserIdType } from '../sql/user-id';
export { JWT_SESSIONS_SQL } from '../sql/jwt-sessions.sql';
