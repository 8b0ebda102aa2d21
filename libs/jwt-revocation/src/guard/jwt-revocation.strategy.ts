import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { JWT_REVOCATION_STRATEGY } from '../jwt-revocation.constants';
import { AccessTokenVerifier, type VerifyOptions } from '../access-tokens/access-token.verifier';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import { BearerTokenStrategy } from './bearer-token.strategy';

/**
 * Passport strategy `jwt-revocation`, for apps that use `AuthGuard('jwt-revocation')` or Passport
 * directly. It verifies with `AccessTokenVerifier`, the routine the guard uses, so both always
 * agree and every algorithm the library supports (EdDSA included) works here too.
 * `AuthGuard` options such as `{ strict: true }` reach `validate()`.
 */
@Injectable()
export class JwtRevocationStrategy extends PassportStrategy(BearerTokenStrategy, JWT_REVOCATION_STRATEGY) {
  constructor(protected readonly verifier: AccessTokenVerifier) {
    super();
  }

  /** The user `AuthGuard` puts on `request.user`; throws the verifier's exception to refuse. */
  validate(token: string, options: VerifyOptions): Promise<AuthenticatedUser> {
    return this.verifier.verify(token, options);
  }
}
