import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AUTH_OPTIONS_KEY, IS_PUBLIC_KEY, JWT_REVOCATION_STRATEGY } from './jwt-revocation.constants';
import type { AuthOptions } from './decorators/auth.decorator';
import { AccessTokenVerifier } from './access-token.verifier';
import { extractBearerToken } from './bearer-token.parser';
import { BearerAuthException, InvalidAuthRequestException } from './errors/bearer-auth.exceptions';
import { requestOf, responseOf, setResponseHeaders, type AuthRequest } from './request-context';

/** Gateways report errors as WsException; @nestjs/websockets is present whenever a ws context is. */
function asWsException(error: BearerAuthException): Error {
  const { WsException } = require('@nestjs/websockets') as { WsException: new (error: object) => Error };
  return new WsException({ status: error.getStatus(), ...(error.getResponse() as object) });
}

/** Marks a request already authenticated, so the global guard and `@Auth()` never verify twice. */
const AUTHENTICATED = Symbol('jwt-revocation:authenticated');

/**
 * Refuses every route that is not `@Public()` unless its bearer token passes verification and
 * the revocation check. It takes the direct path to `AccessTokenVerifier` (the routine the
 * Passport strategy also calls) to skip Passport's per-request overhead. Override
 * `tokenFromRequest()` to read the token from elsewhere.
 */
@Injectable()
export class JwtRevocationGuard extends AuthGuard(JWT_REVOCATION_STRATEGY) implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true) return true;
    const request = requestOf(context);
    try {
      if (!request) throw new InvalidAuthRequestException(); // deny unknown transports
      if (request[AUTHENTICATED as unknown as string]) return true;
      const authOptions = this.reflector.getAllAndOverride<AuthOptions | undefined>(AUTH_OPTIONS_KEY, targets);
      request.user = await this.verifier.verify(this.tokenFromRequest(request), { strict: authOptions?.strict });
      // A socket's handshake outlives a revocation: each of its messages is checked again.
      if (context.getType() !== 'ws') request[AUTHENTICATED as unknown as string] = true;
      return true;
    } catch (error) {
      if (!(error instanceof BearerAuthException)) throw error;
      if (context.getType() === 'ws') throw asWsException(error);
      setResponseHeaders(responseOf(context), error.headers);
      throw error;
    }
  }

  /** The token of this request (see `extractBearerToken`); override to read it from elsewhere. */
  protected tokenFromRequest(request: AuthRequest): string {
    return extractBearerToken(request);
  }
}
