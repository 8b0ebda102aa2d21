import { HttpException, HttpStatus, Injectable } from '@nestjs/common';

/** 429 with `Retry-After`, raised before a password is even checked. */
export class TooManyLoginAttemptsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super({ statusCode: 429, error: 'Too Many Requests', message: 'Too many failed logins for this account; try again later' }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/**
 * Counts failed logins per account in a fixed window. Only failures count, and each account has
 * its own budget, so an attacker cannot lock out other accounts.
 */
@Injectable()
export class FailedLoginLimiter {
  private readonly failures = new Map<string, { count: number; windowEndsAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Throws when the account has used up its failures in the current window. */
  assertAllowed(account: string, now = Date.now()): void {
    const entry = this.failures.get(account);
    if (!entry) return;
    if (now >= entry.windowEndsAt) {
      this.failures.delete(account);
      return;
    }
    if (entry.count >= this.limit) throw new TooManyLoginAttemptsException(Math.ceil((entry.windowEndsAt - now) / 1000));
  }

  recordFailure(account: string, now = Date.now()): void {
    const entry = this.failures.get(account);
    if (!entry || now >= entry.windowEndsAt) this.failures.set(account, { count: 1, windowEndsAt: now + this.windowMs });
    else entry.count++;
    this.dropExpired(now);
  }

  private dropExpired(now: number): void {
    if (this.failures.size < 10_000) return;
    for (const [account, entry] of this.failures) if (now >= entry.windowEndsAt) this.failures.delete(account);
  }
}
