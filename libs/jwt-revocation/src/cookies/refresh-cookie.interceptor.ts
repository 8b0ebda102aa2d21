import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, tap, throwError, type Observable } from 'rxjs';
import type { TokenPair } from '../access-tokens/token-pair';
import { InvalidRefreshTokenException } from '../errors/invalid-refresh-token.exception';
import { RefreshCookieService, type CookieRequest } from './refresh-cookie.service';

/** Metadata key of `@SetsRefreshCookie()` / `@ClearsRefreshCookie()`. */
export const REFRESH_COOKIE_ROLE = 'jwt-revocation:refresh-cookie-role';
export type RefreshCookieRole = 'sets' | 'clears';

/**
 * Runs cookie mode around a route: before the handler, refuses a request another site started
 * (and, on a route that clears the cookie, one without the session's CSRF token), so a refused
 * request changes nothing; after it, moves a returned pair's refresh token into the cookie, or
 * clears the cookies. A refresh refused as invalid, expired or revoked clears them too.
 * Does nothing when cookie mode is off or outside HTTP.
 */
@Injectable()
export class RefreshCookieInterceptor implements NestInterceptor {
  constructor(
    private readonly cookies: RefreshCookieService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const role = this.reflector.get<RefreshCookieRole | undefined>(REFRESH_COOKIE_ROLE, context.getHandler());
    if (!this.cookies.enabled || !role || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<CookieRequest>();
    const response = http.getResponse<unknown>();
    this.cookies.assertSameSite(request);
    if (role === 'clears') {
      this.cookies.assertCsrf(request);
      return next.handle().pipe(tap(() => this.cookies.clear(response, { clearSiteData: true })));
    }
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (error instanceof InvalidRefreshTokenException) this.cookies.clear(response);
        return throwError(() => error);
      }),
      mergeMap((result) => (isTokenPair(result) ? from(this.cookies.deliver(request, response, result)) : [result])),
    );
  }
}

function isTokenPair(value: unknown): value is TokenPair {
  return typeof value === 'object' && value !== null && typeof (value as TokenPair).refreshToken === 'string';
}
