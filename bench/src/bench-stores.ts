import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Global, Module, type DynamicModule, type InjectionToken, type ModuleMetadata, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { integer, pgTable } from 'drizzle-orm/pg-core';
import { DrizzleSessionStore, DrizzleTokenVersionStore, JwtRevocationDrizzleModule } from 'nestjs-jwt-revocation/drizzle';
import { JwtRevocationMikroOrmModule, JwtSessionEntity, MikroOrmSessionStore, MikroOrmTokenVersionStore } from 'nestjs-jwt-revocation/mikro-orm';
import { JwtRevocationPrismaModule, PrismaSessionStore, PrismaTokenVersionStore } from 'nestjs-jwt-revocation/prisma';
import { Pool } from 'pg';
import type { BenchStore } from './bench-config';
import { PrismaClient } from './generated-prisma/client/client';

/** An app's own modules, the library's store module and the two providers it exports. */
export interface BenchStoreWiring {
  imports: NonNullable<ModuleMetadata['imports']>;
  storesModule: DynamicModule;
  inject: [InjectionToken, InjectionToken];
}

// The seeded users table (bench/src/user.entity.ts): TypeORM named the version column after its property.
const USER_TABLE = { table: 'users', versionColumn: 'tokenVersion' };
const users = pgTable('users', { id: integer('id').primaryKey(), tokenVersion: integer('tokenVersion').notNull() });

const PRISMA = Symbol('PRISMA');
const DRIZZLE = Symbol('DRIZZLE');

/** The Prisma, Drizzle and MikroORM stores on the bench's PostgreSQL database, wired as an app would. */
export function benchStores(store: Exclude<BenchStore, 'typeorm'>, url: string): BenchStoreWiring {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`the ${store} bench store runs on PostgreSQL only`);
  switch (store) {
    case 'prisma': {
      const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
      return {
        imports: [clientModule(PRISMA, prisma, () => prisma.$disconnect())],
        storesModule: JwtRevocationPrismaModule.forFeature({ prismaClient: PRISMA, userTable: USER_TABLE }),
        inject: [PrismaTokenVersionStore, PrismaSessionStore],
      };
    }
    case 'drizzle': {
      const pool = new Pool({ connectionString: url });
      return {
        imports: [clientModule(DRIZZLE, drizzle(pool), () => pool.end())],
        storesModule: JwtRevocationDrizzleModule.forFeature({ drizzle: DRIZZLE, userTable: { table: users, id: users.id, version: users.tokenVersion } }),
        inject: [DrizzleTokenVersionStore, DrizzleSessionStore],
      };
    }
    case 'mikro-orm':
      return {
        imports: [MikroOrmModule.forRoot({ driver: PostgreSqlDriver, clientUrl: url, entities: [JwtSessionEntity] })],
        storesModule: JwtRevocationMikroOrmModule.forFeature({ userTable: USER_TABLE }),
        inject: [MikroOrmTokenVersionStore, MikroOrmSessionStore],
      };
  }
}

/** A global module providing an app's database client under `token`, closed at shutdown. */
function clientModule(token: symbol, client: unknown, close: () => Promise<unknown>): DynamicModule {
  @Global()
  @Module({})
  class ClientModule implements OnApplicationShutdown {
    async onApplicationShutdown(): Promise<void> {
      await close();
    }
  }
  return { module: ClientModule, providers: [{ provide: token, useValue: client }], exports: [token] };
}
