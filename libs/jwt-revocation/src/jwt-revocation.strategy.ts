import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JWT_REVOCATION_STRATEGY } from './jwt-revocation.constants';
import { AccessTokenVerifier } from './access-token.verifier';
import { extractBearerToken } from './bearer-token.parser';
import { BearerAuthException } from './errors/bearer-auth.exceptions';

type StrategyRequest = { headers: Record<string, string | string[] | undefined>; query?: unknown; res?: { setHeader?: (n: string, v: string) => unknown } };

/**
 * Passport strategy `jwt-revocation`, for apps that use `AuthGuard('jwt-revocation')` or
 * Passport directly. It hands the token to `AccessTokenVerifier`, the same routine the guard
 * uses, instead of passport-jwt's own verification, so both always agree and every algorithm
 * the library supports (EdDSA included) works here too.
 */
@Injectable()
export class JwtRevocationStrategy extends PassportStrategy(Strategy, JWT_REVOCATION_STRATEGY) {
  constructor(
    private readonly verifier: AccessTokenVerifier,
  ) {
    // passport-jwt insists on a key; verification never reaches it (see authenticate()).
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKeyProvider: (_req: unknown, _token: unknown, done: (e: Error) => void) => done(new Error('unused')) });
  }

  override authenticate(request: StrategyRequest, options?: { strict?: boolean }): void {
    let token: string;
    try {
      token = extractBearerToken(request);
    } catch (error) {
      return this.refuse(request, error);
    }
    this.verifier.verify(token, { strict: options?.strict }).then(
      (user) => this.success(user),
      (error) => this.refuse(request, error),
    );
  }

  /** Unused: `authenticate()` produces the user. */
  validate(): never {
    throw new Error('JwtRevocationStrategy.validate is not used');
  }

  private refuse(request: StrategyRequest, error: unknown): void {
    if (error instanceof BearerAuthException) {
      for (const [name, value] of Object.entries(error.headers)) request.res?.setHeader?.(name, value);
    }
    this.error(error as Error);
  }
}
