import { ConfigService } from '@nestjs/config';
import type { JwtRevocationModule } from 'nestjs-jwt-revocation';
import { RedisRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import type { AppEnv } from '../config';
import { User } from '../users/user.entity';
import { auditRevocation } from './auth-audit.log';

type JwtRevocationAsyncOptions = Parameters<typeof JwtRevocationModule.forRootAsync>[0];

/** The one place the demo configures JwtRevocationModule: `JwtRevocationModule.forRootAsync(jwtRevocationModuleOptions)`. */
export const jwtRevocationModuleOptions: JwtRevocationAsyncOptions = {
  inject: [ConfigService],
  useFactory: (config: ConfigService<AppEnv, true>) => {
    const app = config.get('app', { infer: true });
    return {
      secret: app.jwtSecret,
      typeorm: { entity: User, versionColumn: 'tokenVersion' },
      sessions: { reuseGraceMs: app.refreshReuseGraceMs },
      onRevocation: auditRevocation,
      // Without REDIS_URL the in-process default serves a single instance.
      ...(app.redisUrl ? { broadcaster: new RedisRevocationBroadcaster({ connection: app.redisUrl }) } : {}),
      ...app.revocationOptions,
    };
  },
};
