import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppEnv } from '../config';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { FailedLoginLimiter } from './failed-login.limiter';
import { RefreshCookie } from './refresh-cookie';

/** Register, login, refresh, logout and sessions over the library's AuthTokenService. */
@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [
    RefreshCookie,
    {
      provide: FailedLoginLimiter,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppEnv, true>) => {
        const { limit, windowMs } = config.get('app.loginAttempts', { infer: true });
        return new FailedLoginLimiter(limit, windowMs);
      },
    },
  ],
})
export class AuthModule {}
