import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppEnv } from '../config';
import { UsersModule } from '../users/users.module';
import { AuthAuditLog } from './auth-audit.log';
import { AuthController } from './auth.controller';
import { LoginAttemptLimiter } from './login-attempt.limiter';
import { PasswordAuthenticator } from './password-authenticator';
import { RefreshCookie } from './refresh-cookie';

/** Register, login, refresh, logout and sessions over the library's AuthTokenService. */
@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [
    RefreshCookie,
    AuthAuditLog,
    PasswordAuthenticator,
    {
      provide: LoginAttemptLimiter,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppEnv, true>) => new LoginAttemptLimiter(config.get('app.loginAttempts', { infer: true })),
    },
  ],
})
export class AuthModule {}
