import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtRevocationModule } from 'nestjs-jwt-revocation';
import {
  AddJwtSessionTokenVersion1764000000000,
  CreateJwtSessions1763900000000,
  JwtRevocationTypeOrmModule,
  JwtSessionEntity,
  TypeOrmSessionStore,
  TypeOrmTokenVersionStore,
} from 'nestjs-jwt-revocation/typeorm';
import { CreateUsers1763800000000 } from './migrations/1763800000000-create-users';
import { RedisRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import type { AppConfig } from './config';
import { User } from './users/user.entity';
import { PasswordHasher } from './users/password-hasher';
import { UsersService } from './users/users.service';
import { MeController } from './users/me.controller';
import { AuthController } from './auth/auth.controller';
import { FailedLoginLimiter } from './auth/failed-login.limiter';
import { HealthController } from './health/health.controller';
import { RefreshCookie } from './auth/refresh-cookie';
import { APP_CONFIG } from './app-config.token';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({
          ...config.database,
          entities: [User, JwtSessionEntity],
          // The schema comes from migrations (ours and the library's), never from synchronize.
          migrations: [CreateUsers1763800000000, CreateJwtSessions1763900000000, AddJwtSessionTokenVersion1764000000000],
          migrationsRun: true,
        }),
        TypeOrmModule.forFeature([User]),
        JwtRevocationModule.forRootAsync({
          // The TypeORM stores are built by DI from the app's DataSource, then handed to the module.
          imports: [JwtRevocationTypeOrmModule.forFeature({ userEntity: User, versionColumn: 'tokenVersion' })],
          inject: [TypeOrmTokenVersionStore, TypeOrmSessionStore],
          useFactory: (tokenVersionStore: TypeOrmTokenVersionStore, sessionStore: TypeOrmSessionStore) => ({
            secret: config.jwtSecret,
            tokenVersionStore,
            sessionStore,
            sessions: { reuseGraceMs: config.refreshReuseGraceMs },
            // Without REDIS_URL the in-process default serves a single instance.
            ...(config.redisUrl ? { broadcaster: new RedisRevocationBroadcaster({ connection: config.redisUrl }) } : {}),
            ...config.revocationOptions,
          }),
        }),
      ],
      controllers: [AuthController, MeController, HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        RefreshCookie,
        PasswordHasher,
        UsersService,
        { provide: FailedLoginLimiter, useFactory: () => new FailedLoginLimiter(config.loginAttempts.limit, config.loginAttempts.windowMs) },
      ],
    };
  }
}
