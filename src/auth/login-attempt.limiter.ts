import { HttpException, HttpStatus, Injectable } from '@nestjs/common';

/** 429 with `Retry-After`, raised before a password is even checked. */
export class TooManyLoginAttemptsException extends HttpException {
  /** Written on the response by HttpErrorFilter. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(readonly retryAfterSeconds: number) {
    super({ statusCode: 429, error: 'Too Many Requests', message: 'Too many failed attempts; try again later' }, HttpStatus.TOO_MANY_REQUESTS);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

export interface LoginAttemptLimits {
  /** Failed password checks per account and client IP in a window. */
  limit: number;
  /** Failed password checks per client IP over all accounts in a window. */
  perClientLimit: number;
  windowMs: number;
}

/** An attempt taken from the budgets: it counts as a failure unless `succeeded()` is called. */
export interface LoginAttempt {
  succeeded(): void;
}

/**
 * Budgets of failed password checks in fixed windows: one per account and client, so a client
 * elsewhere cannot lock the owner out, and one per client over all accounts, so a flood of junk
 * logins is refused before it costs a hash. The attempt is taken before the password is hashed,
 * so concurrent guesses cannot all pass the check.
 */
@Injectable()
export class LoginAttemptLimiter {
  private readonly budgets = new Map<string, { count: number; windowEndsAt: number }>();

  constructor(private readonly limits: LoginAttemptLimits) {}

  /**
   * Takes one attempt for `account` (the account found, or the email typed when none is) from
   * `client`; throws TooManyLoginAttemptsException when either budget is spent.
   */
  reserve(account: string, client: string, now = Date.now()): LoginAttempt {
    const accountKey = `account ${client} ${account}`;
    const clientKey = `client ${client}`;
    const wait = Math.max(this.secondsUntilAllowed(accountKey, this.limits.limit, now), this.secondsUntilAllowed(clientKey, this.limits.perClientLimit, now));
    if (wait > 0) throw new TooManyLoginAttemptsException(wait);
    this.take(accountKey, now);
    this.take(clientKey, now);
    this.dropExpired(now);
    return {
      succeeded: () => {
        this.budgets.delete(accountKey);
        const entry = this.budgets.get(clientKey);
        if (entry && entry.count > 0) entry.count--;
      },
    };
  }

  private secondsUntilAllowed(key: string, limit: number, now: number): number {
    const entry = this.budgets.get(key);
    if (!entry || now >= entry.windowEndsAt || entry.count < limit) return 0;
    return Math.max(1, Math.ceil((entry.windowEndsAt - now) / 1000));
  }

  private take(key: string, now: number): void {
    const entry = this.budgets.get(key);
    if (!entry || now >= entry.windowEndsAt) this.budgets.set(key, { count: 1, windowEndsAt: now + this.limits.windowMs });
    else entry.count++;
  }

  private dropExpired(now: number): void {
    if (this.budgets.size < 10_000) return;
    for (const [key, entry] of this.budgets) if (now >= entry.windowEndsAt) this.budgets.delete(key);
  }
}
