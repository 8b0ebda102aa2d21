import { HttpException, HttpStatus } from '@nestjs/common';

/** An authentication failure with the headers RFC 6750 asks for; the guard writes them on the response. */
export abstract class BearerAuthException extends HttpException {
  abstract readonly headers: Readonly<Record<string, string>>;
}

/** No credentials: 401 with a bare `WWW-Authenticate: Bearer`. */
export class MissingTokenException extends BearerAuthException {
  readonly headers = { 'WWW-Authenticate': 'Bearer' };
  constructor() {
    super({ statusCode: 401, error: 'Unauthorized', message: 'Authentication required' }, HttpStatus.UNAUTHORIZED);
  }
}

/** Any invalid, expired or revoked token; says nothing about which check failed. */
export class InvalidTokenException extends BearerAuthException {
  readonly headers = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
  constructor() {
    super(
      { statusCode: 401, error: 'invalid_token', message: 'The access token is invalid, expired or revoked' },
      HttpStatus.UNAUTHORIZED,
    );
  }
}

/** A malformed Authorization header (two tokens, trailing data, a token in the query string). */
export class InvalidAuthRequestException extends BearerAuthException {
  readonly headers = { 'WWW-Authenticate': 'Bearer error="invalid_request"' };
  constructor() {
    super(
      { statusCode: 400, error: 'invalid_request', message: 'Send exactly one token as "Authorization: Bearer <token>"' },
      HttpStatus.BAD_REQUEST,
    );
  }
}

/** The revocation state could not be read, so the token cannot be trusted: fail closed. */
export class RevocationUnavailableException extends BearerAuthException {
  readonly headers: Readonly<Record<string, string>>;
  constructor(retryAfterSeconds: number) {
    super(
      { statusCode: 503, error: 'Service Unavailable', message: 'Cannot confirm the token is still valid; try again shortly' },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}
