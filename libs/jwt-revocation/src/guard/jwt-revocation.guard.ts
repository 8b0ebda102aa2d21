import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AUTH_OPTIONS_KEY, IS_PUBLIC_KEY } from '../jwt-revocation.constants';
import type { AuthOptions } from '../decorators/auth-options';
import { AccessTokenVerifier } from '../access-tokens/access-token.verifier';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import { extractBearerToken } from '../access-tokens/bearer-token.parser';
import { BearerAuthException, InvalidAuthRequestException } from '../errors/bearer-auth.exceptions';
import { writeAuthHeaders } from '../errors/auth-headers';
import { requireOptionalPeer } from '../optional-peers/load-optional-peer';
import { requestOf, responseOf, type AuthRequest } from './request-context';

/**
 * Handler invocations already authenticated. The global guard and `@Auth()` on one handler share
 * its context, so they verify once; every other handler (each GraphQL resolver of a request, each
 * WebSocket message) gets its own context and is verified with its own options, strict included.
 */
const authenticatedContexts = new WeakSet<ExecutionContext>();

/**
 * Refuses every route that is not `@Public()` unless its bearer token passes verification and
 * the revocation check (`AccessTokenVerifier`, the routine the Passport strategy also uses).
 *
 * Extend it and override a protected hook; each is called on every request, in this order:
 * `shouldSkip` → `getRequest` → `tokenFromRequest` → (verification) → `handleRequest`, and
 * `throwUnauthorized` for any authentication failure. Register your subclass as the guard
 * (`globalGuard: false` and your own `APP_GUARD`).
 */
@Injectable()
export class JwtRevocationGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    protected readonly verifier: AccessTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const skip = this.shouldSkip(context);
    if (typeof skip === 'boolean' ? skip : await skip) return true;
    try {
      const request = this.getRequest(context);
      if (!request) throw new InvalidAuthRequestException(); // deny unknown transports
      if (authenticatedContexts.has(context)) return true;
      const strict = this.authOptions(context)?.strict;
      const user = await this.verifier.verify(this.tokenFromRequest(request), { strict });
      const handled = this.handleRequest(user, context);
      request.user = handled instanceof Promise ? await handled : handled;
      authenticatedContexts.add(context);
      return true;
    } catch (error) {
      if (error instanceof BearerAuthException) this.throwUnauthorized(error, context);
      throw error;
    }
  }

  /** True lets the request through unauthenticated. Default: the route or its controller is `@Public()` (the handler wins). */
  protected shouldSkip(context: ExecutionContext): boolean | Promise<boolean> {
    return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]) === true;
  }

  /** The request of an HTTP, GraphQL, WebSocket or microservice context; undefined (refused) for any other transport. */
  protected getRequest(context: ExecutionContext): AuthRequest | undefined {
    return requestOf(context);
  }

  /** The token of this request (see `extractBearerToken`); override to read it from elsewhere. */
  protected tokenFromRequest(request: AuthRequest): string {
    return extractBearerToken(request);
  }

  /**
   * Called with the verified user; what it returns becomes `request.user` (`@CurrentUser()`).
   * Override to add checks of your own: throw to refuse (a `BearerAuthException` goes through
   * `throwUnauthorized`, any other exception is passed on as it is).
   */
  protected handleRequest(user: AuthenticatedUser, _context: ExecutionContext): AuthenticatedUser | Promise<AuthenticatedUser> {
    return user;
  }

  /**
   * Refuses the request: writes the exception's headers (`WWW-Authenticate`, `Retry-After`) on the
   * response and throws it; over WebSocket it throws a `WsException`, to a microservice handler an
   * `RpcException`, each carrying `{ status, error, message }` (and `retryAfter` seconds on a 503).
   */
  protected throwUnauthorized(error: BearerAuthException, context: ExecutionContext): never {
    if (context.getType() === 'ws') throw asWsException(error);
    if (context.getType() === 'rpc') throw asRpcException(error);
    writeAuthHeaders(responseOf(context), error);
    throw error;
  }

  private authOptions(context: ExecutionContext): AuthOptions | undefined {
    return this.reflector.getAllAndOverride<AuthOptions | undefined>(AUTH_OPTIONS_KEY, [context.getHandler(), context.getClass()]);
  }
}

/** Gateways report errors as WsException; @nestjs/websockets is present whenever a ws context is. */
function asWsException(error: BearerAuthException): Error {
  const { WsException } = requireOptionalPeer<{ WsException: new (error: object) => Error }>('@nestjs/websockets', 'A WebSocket gateway');
  return new WsException({ status: error.getStatus(), ...(error.getResponse() as object) });
}

/** Microservice handlers report errors as RpcException; @nestjs/microservices is present whenever an rpc context is. */
function asRpcException(error: BearerAuthException): Error {
  const { RpcException } = requireOptionalPeer<{ RpcException: new (error: object) => Error }>('@nestjs/microservices', 'A microservice handler');
  const { error: code, message } = error.getResponse() as { error: string; message: string };
  const retryAfter = error.headers['Retry-After'];
  return new RpcException({ status: error.getStatus(), error: code, message, ...(retryAfter ? { retryAfter: Number(retryAfter) } : {}) });
}
