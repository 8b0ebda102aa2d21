import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtService } from '@nestjs/jwt';
import {
  AuthTokenService,
  JwtRevocationModule,
  type JwtRevocationModuleOptions,
  type SessionStore,
  type TokenVersionStore,
} from 'nestjs-jwt-revocation';
import { JwtRevocationTypeOrmModule, JwtSessionEntity, TypeOrmSessionStore, TypeOrmTokenVersionStore } from 'nestjs-jwt-revocation/typeorm';
import { BENCH_CONFIG, dataSourceOptions, type BenchConfig } from './bench-config';
import { BenchControlController } from './bench-control.controller';
import { benchStores, type BenchStoreWiring } from './bench-stores';
import { MeController, NoAuthMeController, PassportMeController } from './me.controllers';
import { HeaderReadingGuard } from './header-reading.guard';
import { JwtStrategy } from './passport-jwt.strategy';
import { QueryCounter } from './query-counter';
import { loadRedisBroadcaster } from './redis-broadcaster.loader';
import { BENCH_TOKEN_ISSUER, type BenchTokenIssuer } from './token-issuer';
import { User } from './user.entity';

/** One app per scenario: the same `GET /me`, only the authentication in front of it changes. */
@Module({})
export class BenchModule {
  static forScenario(config: BenchConfig, queryCounter: QueryCounter): DynamicModule {
    const shared: Provider[] = [
      { provide: BENCH_CONFIG, useValue: config },
      { provide: QueryCounter, useValue: queryCounter },
    ];
    switch (config.scenario) {
      case 'no-auth':
        return {
          module: BenchModule,
          controllers: [NoAuthMeController, BenchControlController],
          providers: [...shared, jsonwebtokenIssuer(config)],
        };
      case 'trivial-guard':
        return {
          module: BenchModule,
          controllers: [NoAuthMeController, BenchControlController],
          providers: [...shared, jsonwebtokenIssuer(config), { provide: APP_GUARD, useClass: HeaderReadingGuard }],
        };
      case 'passport-jwt':
        return {
          module: BenchModule,
          imports: [PassportModule],
          controllers: [PassportMeController, BenchControlController],
          providers: [...shared, JwtStrategy, jsonwebtokenIssuer(config)],
        };
      default: {
        const stores = config.store === 'typeorm' ? typeOrmStores(config, queryCounter) : benchStores(config.store, requireDatabase(config));
        return {
          module: BenchModule,
          imports: [
            ...stores.imports,
            JwtRevocationModule.forRootAsync({
              imports: [stores.storesModule],
              inject: stores.inject,
              useFactory: (tokenVersionStore: TokenVersionStore, sessionStore: SessionStore) =>
                libraryOptions(config, { tokenVersionStore, sessionStore }),
            }),
          ],
          controllers: [MeController, BenchControlController],
          providers: [
            ...shared,
            {
              provide: BENCH_TOKEN_ISSUER,
              useFactory: (authTokens: AuthTokenService): BenchTokenIssuer => ({
                issue: async (userId) => (await authTokens.login(userId)).accessToken,
              }),
              inject: [AuthTokenService],
            },
          ],
        };
      }
    }
  }
}

/** The TypeORM stores on the bench database, every query counted. */
function typeOrmStores(config: BenchConfig, queryCounter: QueryCounter): BenchStoreWiring {
  return {
    imports: [
      TypeOrmModule.forRoot({
        ...dataSourceOptions(requireDatabase(config)),
        entities: [User, JwtSessionEntity],
        synchronize: false,
        logger: queryCounter,
      }),
    ],
    storesModule: JwtRevocationTypeOrmModule.forFeature({ userEntity: User }),
    inject: [TypeOrmTokenVersionStore, TypeOrmSessionStore],
  };
}

/** (c) cache off, (d) the defaults, (e) the defaults plus the Redis broadcaster. */
function libraryOptions(
  config: BenchConfig,
  stores: Pick<JwtRevocationModuleOptions, 'tokenVersionStore' | 'sessionStore'>,
): JwtRevocationModuleOptions {
  const options: JwtRevocationModuleOptions = { secret: config.secret, ...stores };
  if (config.scenario === 'lib-no-cache') return { ...options, cache: { enabled: false } };
  if (config.scenario === 'lib-redis') {
    const RedisRevocationBroadcaster = loadRedisBroadcaster();
    if (!RedisRevocationBroadcaster) throw new Error('nestjs-jwt-revocation/redis is not built');
    if (!config.redisUrl) throw new Error('BENCH_REDIS_URL is required for lib-redis');
    return { ...options, broadcaster: new RedisRevocationBroadcaster({ connection: config.redisUrl, channel: config.redisChannel }) };
  }
  return options;
}

/** The docs sign with @nestjs/jwt's JwtService: HS256, `{ sub, username }`. */
function jsonwebtokenIssuer(config: BenchConfig): Provider {
  const jwt = new JwtService({ secret: config.secret, signOptions: { expiresIn: '1h' } });
  const issuer: BenchTokenIssuer = {
    issue: async (userId) => jwt.signAsync({ sub: String(userId), username: `user${userId}@bench.test` }),
  };
  return { provide: BENCH_TOKEN_ISSUER, useValue: issuer };
}

function requireDatabase(config: BenchConfig): string {
  if (!config.databaseUrl) throw new Error(`BENCH_DATABASE_URL is required for ${config.scenario}`);
  return config.databaseUrl;
}
