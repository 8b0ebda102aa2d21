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
const AUTHENTICATED = Symbol('jwt-revocation.authenticated');
type MarkedContext = ExecutionContext & { [AUTHENTICATED]?: true };

/** A route's `@Public()` and `@Auth()` metadata, read once per controller class and handler (it never changes after bootstrap). */
interface RouteAuth {
  isPublic: boolean;
  options: AuthOptions | undefined;
}

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
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    protected readonly reflector: Reflector,
    protected readonly verifier: AccessTokenVerifier,
  ) {}

  /**
   * True when the request may go on; a refusal is always a rejected promise. The cached path
   * answers without a promise (each await would be one more trip through the microtask queue on
   * every request); a hook or the store that has to be waited for makes it a promise.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    try {
      const skip = this.shouldSkip(context);
      if (typeof skip === 'boolean') return skip || this.authenticate(context);
      return skip.then((skipped) => skipped || this.authenticate(context));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private authenticate(context: ExecutionContext): true | Promise<true> {
    try {
      const request = this.getRequest(context);
      if (!request) throw new InvalidAuthRequestException(); // deny unknown transports
      if ((context as MarkedContext)[AUTHENTICATED]) return true;
      const strict = this.authOptions(context)?.strict;
      const verified = this.verifier.verifyNow(this.tokenFromRequest(request), { strict });
      const accepted = verified instanceof Promise ? verified.then((user) => this.accept(user, request, context)) : this.accept(verified, request, context);
      return accepted === true
        ? true
        : accepted.catch((error: unknown) => {
            throw this.refusal(error, context);
          });
    } catch (error) {
      return Promise.reject(this.refusal(error, context));
    }
  }

  /** `handleRequest`'s answer becomes `request.user`, and the context is marked authenticated. */
  private accept(user: AuthenticatedUser, request: AuthRequest, context: ExecutionContext): true | Promise<true> {
    const handled = this.handleRequest(user, context);
    return handled instanceof Promise ? handled.then((final) => admit(final, request, context)) : admit(handled, request, context);
  }

  /** What a failure is rethrown as: an authentication failure through `throwUnauthorized`, anything else as it is. */
  private refusal(error: unknown, context: ExecutionContext): unknown {
    if (!(error instanceof BearerAuthException)) return error;
    try {
      this.throwUnauthorized(error, context);
    } catch (thrown) {
      return thrown;
    }
    return error; // an override that did not throw
  }

  /** True lets the request through unauthenticated. Default: the route or its controller is `@Public()` (the handler wins). */
  protected shouldSkip(context: ExecutionContext): boolean | Promise<boolean> {
    return this.routeAuth(context).isPublic;
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
    return this.routeAuth(context).options;
  }

  private routeAuth(context: ExecutionContext): RouteAuth {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.routes.get(controller);
    if (!byHandler) this.routes.set(controller, (byHandler = new WeakMap()));
    let route = byHandler.get(handler);
    if (!route) {
      const targets = [handler, controller];
      route = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true,
        options: this.reflector.getAllAndOverride<AuthOptions | undefined>(AUTH_OPTIONS_KEY, targets),
      };
      byHandler.set(handler, route);
    }
    return route;
  }
}

function admit(user: AuthenticatedUser, request: AuthRequest, context: ExecutionContext): true {
  request.user = user;
  // A mark on the context itself: cheaper per request than a WeakSet entry, gone with the context.
  (context as MarkedContext)[AUTHENTICATED] = true;
  return true;
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
