import { HttpStatus } from '@nestjs/common';
import { BearerAuthException } from './bearer-auth.exceptions';

/** Why a refresh token was refused; for metrics and logs, never sent to the client. */
export type RefreshRefusal = 'invalid' | 'expired' | 'revoked' | 'reuse';

/** Refresh-token failures: 401 with the same body whatever the reason, and the challenge RFC 9110 asks of a 401. */
export class InvalidRefreshTokenException extends BearerAuthException {
  readonly headers = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
  constructor(readonly reason: RefreshRefusal = 'invalid') {
    super({ statusCode: 401, error: 'invalid_grant', message: 'The refresh token is invalid, expired or revoked' }, HttpStatus.UNAUTHORIZED);
  }
}
