import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AuthAuditLog, type AuthActor } from './auth-audit.log';
import { LoginAttemptLimiter, TooManyLoginAttemptsException, type LoginAttempt } from './login-attempt.limiter';

export interface ClientInfo {
  ip: string;
  userAgent: string | undefined;
}

/**
 * Password checks for login and change-password: the attempt is taken from the limiter before
 * the hash is computed, every outcome is written to the audit log, an outdated hash is upgraded.
 */
@Injectable()
export class PasswordAuthenticator {
  constructor(
    private readonly users: UsersService,
    private readonly limiter: LoginAttemptLimiter,
    private readonly audit: AuthAuditLog,
  ) {}

  /** The user whose email and password these are; 401 otherwise (the same for an unknown email), 429 when limited. */
  async login(email: string, password: string, client: ClientInfo): Promise<User> {
    const user = await this.users.findByEmail(email);
    const actor: AuthActor & ClientInfo = { ...client, ...(user ? { userId: user.id } : { email }) };
    // Keyed on the account found, so no other spelling of its email gets a budget of its own.
    const attempt = this.reserve('login', user ? `user:${user.id}` : `email:${email}`, actor);
    // Hashed whether or not the account exists, so both failures take the same time.
    const matches = await this.users.passwordMatches(user, password);
    if (!user || !matches) {
      this.audit.record('login', 'failure', 'invalid_credentials', actor);
      throw new UnauthorizedException('Invalid email or password');
    }
    attempt.succeeded();
    await this.users.upgradeHashIfOutdated(user, password);
    this.audit.record('login', 'success', undefined, actor);
    return user;
  }

  /** Checks the current password (limited like login) and stores the new one; 401 when wrong. */
  async changePassword(userId: number, currentPassword: string, newPassword: string, client: ClientInfo): Promise<void> {
    const actor: AuthActor & ClientInfo = { ...client, userId };
    const attempt = this.reserve('change-password', `user:${userId}`, actor);
    const user = await this.users.findById(userId);
    const matches = await this.users.passwordMatches(user, currentPassword);
    if (!user || !matches) {
      this.audit.record('change-password', 'failure', 'wrong_current_password', actor);
      throw new UnauthorizedException('Current password is wrong');
    }
    attempt.succeeded();
    await this.users.setPassword(userId, newPassword);
    this.audit.record('change-password', 'success', undefined, actor);
  }

  private reserve(event: 'login' | 'change-password', account: string, actor: AuthActor & ClientInfo): LoginAttempt {
    try {
      return this.limiter.reserve(account, actor.ip);
    } catch (error) {
      if (error instanceof TooManyLoginAttemptsException) this.audit.record(event, 'refused', 'too_many_attempts', actor);
      throw error;
    }
  }
}
