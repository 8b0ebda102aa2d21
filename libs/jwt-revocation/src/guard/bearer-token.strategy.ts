import { Strategy } from 'passport';
import { extractBearerToken, type TokenSource } from '../access-tokens/bearer-token.parser';
import type { VerifyOptions } from '../access-tokens/access-token.verifier';
import { BearerAuthException } from '../errors/bearer-auth.exceptions';
import { writeAuthHeaders } from '../errors/auth-headers';

type Done = (error: unknown, user?: unknown) => void;
/** Checks a token and calls `done(error)` or `done(null, user)`. */
export type VerifyBearerToken = (token: string, options: VerifyOptions, done: Done) => void;

type PassportRequest = TokenSource & { res?: unknown };

/**
 * A Passport strategy for bearer tokens read exactly as the guard reads them (`extractBearerToken`),
 * handed to a verify function. A refusal carries the same status, body and headers as the guard's.
 */
export class BearerTokenStrategy extends Strategy {
  constructor(private readonly verifyToken: VerifyBearerToken) {
    super();
  }

  override authenticate(request: PassportRequest, options?: VerifyOptions): void {
    let token: string;
    try {
      token = extractBearerToken(request);
    } catch (error) {
      return this.refuse(request, error);
    }
    this.verifyToken(token, { strict: options?.strict }, (error, user) => (error ? this.refuse(request, error) : this.success(user as object)));
  }

  private refuse(request: PassportRequest, error: unknown): void {
    if (error instanceof BearerAuthException) writeAuthHeaders(request.res, error);
    this.error(error as Error);
  }
}
