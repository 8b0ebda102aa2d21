import { ConfigService } from '@nestjs/config';
import type { JwtRevocationModule } from 'nestjs-jwt-revocation';
import { JwtRevocationTypeOrmModule, TypeOrmSessionStore, TypeOrmTokenVersionStore } from 'nestjs-jwt-revocation/typeorm';
import type { AppEnv } from '../config';
import { User } from '../users/user.entity';
import { UsersModule } from '../users/users.module';
import { UsersService } from '../users/users.service';
import { auditRevocation } from './auth-audit.log';
import { broadcasterFor } from './broadcaster.config';

type JwtRevocationAsyncOptions = Parameters<typeof JwtRevocationModule.forRootAsync>[0];

/** The one place the demo configures JwtRevocationModule: `JwtRevocationModule.forRootAsync(jwtRevocationModuleOptions)`. */
export const jwtRevocationModuleOptions: JwtRevocationAsyncOptions = {
  // The TypeORM stores are built by DI from the app's DataSource, then handed to the module.
  imports: [JwtRevocationTypeOrmModule.forFeature({ userEntity: User, versionColumn: 'tokenVersion' }), UsersModule],
  inject: [ConfigService, TypeOrmTokenVersionStore, TypeOrmSessionStore, UsersService],
  useFactory: (
    config: ConfigService<AppEnv, true>,
    tokenVersionStore: TypeOrmTokenVersionStore,
    sessionStore: TypeOrmSessionStore,
    users: UsersService,
  ) => {
    const app = config.get('app', { infer: true });
    const broadcaster = broadcasterFor(app);
    return {
      secret: app.jwtSecret,
      issuer: app.jwtIssuer,
      audience: app.jwtAudience,
      // Roles travel in the token, read at every login and refresh: authorizing a request needs no query.
      claims: async (userId: string) => ({ roles: await users.rolesOf(userId) }),
      tokenVersionStore,
      sessionStore,
      sessions: { reuseGraceMs: app.refreshReuseGraceMs },
      onRevocation: auditRevocation,
      // Refresh token in an HttpOnly cookie, scoped to /auth, with the CSRF checks (library defaults).
      ...(app.cookieMode ? { cookies: app.cookieSecure === false ? { secure: false } : true } : {}),
      // BROADCASTER / REDIS_URL pick the transport; without either the in-process default serves a single instance.
      ...(broadcaster ? { broadcaster } : {}),
      ...app.revocationOptions,
    };
  },
};
