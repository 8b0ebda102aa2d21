import { HttpStatus } from '@nestjs/common';
import { BearerAuthException } from './bearer-auth.exceptions';

/** Refresh-token failures: 401 with the same body whatever the reason, and the challenge RFC 9110 asks of a 401. */
export class InvalidRefreshTokenException extends BearerAuthException {
  readonly headers = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
  constructor() {
    super({ statusCode: 401, error: 'invalid_grant', message: 'The refresh token is invalid, expired or revoked' }, HttpStatus.UNAUTHORIZED);
  }
}
