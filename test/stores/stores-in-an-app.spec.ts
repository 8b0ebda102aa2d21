import { randomBytes, randomInt } from 'node:crypto';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Body, Controller, Get, Global, HttpCode, Module, Post, type DynamicModule, type INestApplication, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { drizzle } from 'drizzle-orm/node-postgres';
import { integer, pgTable } from 'drizzle-orm/pg-core';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import request from 'supertest';
import { AuthTokenService, CurrentUser, JwtRevocationModule, Public, type SessionStore, type TokenVersionStore } from 'nestjs-jwt-revocation';
import { DrizzleSessionStore, DrizzleTokenVersionStore, JwtRevocationDrizzleModule } from 'nestjs-jwt-revocation/drizzle';
import { JwtRevocationMikroOrmModule, JwtSessionEntity, MikroOrmSessionStore, MikroOrmTokenVersionStore } from 'nestjs-jwt-revocation/mikro-orm';
import { JwtRevocationPrismaModule, PrismaSessionStore, PrismaTokenVersionStore } from 'nestjs-jwt-revocation/prisma';
import { JwtRevocationRedisStoreModule, RedisSessionStore, RedisTokenVersionStore } from 'nestjs-jwt-revocation/redis';
import { postgresDatabase, testRedisUrl } from '../support/databases';
import { openPrismaClient, type TestPrismaClient } from './prisma/prisma-clients';
import { insertUser, migrate } from './support/sql-fixtures';

const SECRET = 'stores-in-an-app-test-secret-long-enough-0123456789';

@Controller()
class AuthController {
  constructor(private readonly tokens: AuthTokenService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() body: { userId: string }) {
    return this.tokens.login(body.userId);
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  refresh(@Body() body: { refreshToken: string }) {
    return this.tokens.refresh(body.refreshToken);
  }

  @Get('me')
  me(@CurrentUser('id') id: string) {
    return { id };
  }

  @Post('auth/logout-all')
  @HttpCode(204)
  async logoutAll(@CurrentUser('id') id: string) {
    await this.tokens.logoutAll(id);
  }
}

/** What one store needs in an app: the app's own modules, the library's store module and its two providers. */
interface Wiring {
  imports: NonNullable<ModuleMetadata['imports']>;
  storesModule: DynamicModule;
  inject: [InjectionToken, InjectionToken];
  createUser(): Promise<string>;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database with jwt_sessions (the shipped SQL) and the app's users table. */
async function postgresWithSchema() {
  const database = postgresDatabase();
  if (!database) throw new Error('TEST_POSTGRES_URL is needed for the store modules in an app');
  const created = await database.create();
  const pool = new Pool({ connectionString: created.url, max: 2 });
  await migrate('postgresql', (sql) => pool.query(sql));
  const createUser = () => insertUser((sql) => pool.query(sql));
  return { url: created.url, createUser, close: () => pool.end().then(created.drop) };
}

const users = pgTable('users', { id: integer('id').primaryKey(), tokenVersion: integer('token_version').notNull().default(0) });
const DRIZZLE = Symbol('DRIZZLE');
class PrismaService {} // the token an app's PrismaService class would be

const wirings: Record<string, () => Promise<Wiring>> = {
  async 'prisma on postgres'() {
    const db = await postgresWithSchema();
    let client: TestPrismaClient | undefined;
    // Not global: the store module reaches the client through its `imports` option.
    @Module({ providers: [{ provide: PrismaService, useFactory: () => (client = openPrismaClient('postgres', db.url)) }], exports: [PrismaService] })
    class PrismaModule {}
    return {
      imports: [],
      storesModule: JwtRevocationPrismaModule.forFeature({ prismaClient: PrismaService, imports: [PrismaModule] }),
      inject: [PrismaTokenVersionStore, PrismaSessionStore],
      createUser: db.createUser,
      close: async () => {
        await client?.$disconnect();
        await db.close();
      },
    };
  },

  async 'drizzle on postgres'() {
    const db = await postgresWithSchema();
    const pool = new Pool({ connectionString: db.url, max: 5 });
    @Global()
    @Module({ providers: [{ provide: DRIZZLE, useFactory: () => drizzle(pool) }], exports: [DRIZZLE] })
    class DrizzleModule {}
    return {
      imports: [DrizzleModule],
      storesModule: JwtRevocationDrizzleModule.forFeature({ drizzle: DRIZZLE, userTable: { table: users, id: users.id, version: users.tokenVersion } }),
      inject: [DrizzleTokenVersionStore, DrizzleSessionStore],
      createUser: db.createUser,
      close: () => pool.end().then(db.close),
    };
  },

  async 'mikro-orm on postgres'() {
    const db = await postgresWithSchema();
    return {
      // @mikro-orm/nestjs provides the EntityManager (forked per request) the store module injects by default.
      imports: [MikroOrmModule.forRoot({ driver: PostgreSqlDriver, clientUrl: db.url, entities: [JwtSessionEntity], pool: { min: 0, max: 5 } })],
      storesModule: JwtRevocationMikroOrmModule.forFeature(),
      inject: [MikroOrmTokenVersionStore, MikroOrmSessionStore],
      createUser: db.createUser,
      close: db.close,
    };
  },

  async 'redis alone'() {
    const url = testRedisUrl() ?? 'redis://127.0.0.1:6379';
    const keyPrefix = `jwtrev-app-${randomBytes(6).toString('hex')}`;
    return {
      imports: [],
      storesModule: JwtRevocationRedisStoreModule.forFeature({ connection: url, keyPrefix, tokenLifetimeSeconds: 905 }),
      inject: [RedisTokenVersionStore, RedisSessionStore],
      createUser: async () => String(randomInt(1, 2 ** 31 - 1)), // users live elsewhere: every id has a version
      close: () => deleteKeys(url, keyPrefix),
    };
  },
};

async function deleteKeys(url: string, keyPrefix: string): Promise<void> {
  const admin = new Redis(url);
  const keys = await admin.keys(`{${keyPrefix}}:*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
}

async function startApp(wiring: Wiring): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ...wiring.imports,
      JwtRevocationModule.forRootAsync({
        imports: [wiring.storesModule],
        inject: wiring.inject,
        useFactory: (tokenVersionStore: TokenVersionStore, sessionStore: SessionStore) => ({ secret: SECRET, tokenVersionStore, sessionStore }),
      }),
    ],
    controllers: [AuthController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe.each(Object.keys(wirings))('the %s store in an app', (name) => {
  let wiring: Wiring;
  let app: INestApplication;

  beforeAll(async () => {
    wiring = await wirings[name]();
    app = await startApp(wiring);
  });
  afterAll(async () => {
    await app?.close();
    await wiring?.close();
  });

  it('login -> protected 200 -> refresh -> logoutAll -> every token of the user refused -> a new login works', async () => {
    const http = () => request(app.getHttpServer());
    const userId = await wiring.createUser();
    const login = await http().post('/auth/login').send({ userId }).expect(200);
    const first = login.body.accessToken as string;
    await http().get('/me').set('Authorization', `Bearer ${first}`).expect(200, { id: userId });

    const refreshed = await http().post('/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(200);
    const second = refreshed.body.accessToken as string;
    await http().get('/me').set('Authorization', `Bearer ${second}`).expect(200);

    await http().post('/auth/logout-all').set('Authorization', `Bearer ${second}`).expect(204);
    await http().get('/me').set('Authorization', `Bearer ${first}`).expect(401);
    await http().get('/me').set('Authorization', `Bearer ${second}`).expect(401);
    await http().post('/auth/refresh').send({ refreshToken: refreshed.body.refreshToken }).expect(401);

    const again = await http().post('/auth/login').send({ userId }).expect(200);
    await http().get('/me').set('Authorization', `Bearer ${again.body.accessToken}`).expect(200, { id: userId });
  });
});

describe('the Redis store module closes only what it opened', () => {
  const url = testRedisUrl() ?? 'redis://127.0.0.1:6379';

  async function appWith(storesModule: DynamicModule, imports: Wiring['imports'] = []) {
    const wiring: Wiring = { imports, storesModule, inject: [RedisTokenVersionStore, RedisSessionStore], createUser: async () => '1', close: async () => undefined };
    return startApp(wiring);
  }

  it('leaves an app-given client, by instance or by token, open at shutdown', async () => {
    const keyPrefix = `jwtrev-own-${randomBytes(6).toString('hex')}`;
    const client = new Redis(url);
    const REDIS = Symbol('REDIS');
    @Global()
    @Module({ providers: [{ provide: REDIS, useValue: client }], exports: [REDIS] })
    class RedisModule {}
    try {
      const byInstance = await appWith(JwtRevocationRedisStoreModule.forFeature({ client, keyPrefix, tokenLifetimeSeconds: 60 }));
      await byInstance.close();
      expect(await client.ping()).toBe('PONG');
      const byToken = await appWith(JwtRevocationRedisStoreModule.forFeature({ client: REDIS, keyPrefix, tokenLifetimeSeconds: 60 }), [RedisModule]);
      expect(await byToken.get(RedisTokenVersionStore).getVersion('u')).toEqual(expect.any(Number));
      await byToken.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      await deleteKeys(url, keyPrefix);
      client.disconnect();
    }
  });

  it('closes the connection it made from `connection` at shutdown', async () => {
    const keyPrefix = `jwtrev-own-${randomBytes(6).toString('hex')}`;
    const app = await appWith(JwtRevocationRedisStoreModule.forFeature({ connection: url, keyPrefix, tokenLifetimeSeconds: 60 }));
    const versions = app.get(RedisTokenVersionStore);
    expect(await versions.getVersion('u')).toEqual(expect.any(Number));
    await app.close();
    await expect(versions.getVersion('u')).rejects.toThrow();
    await deleteKeys(url, keyPrefix);
  });
});
