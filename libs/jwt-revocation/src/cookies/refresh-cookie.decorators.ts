import { applyDecorators, createParamDecorator, SetMetadata, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import { REFRESH_COOKIE_ROLE, RefreshCookieInterceptor, type RefreshCookieRole } from './refresh-cookie.interceptor';
import { RefreshCookiePipe } from './refresh-cookie.pipe';
import type { CookieRequest } from './refresh-cookie.service';

// Only the headers travel through the pipes: a global pipe never sees the whole request.
const requestHeaders = createParamDecorator((_: unknown, context: ExecutionContext): CookieRequest => ({
  headers: { ...context.switchToHttp().getRequest<CookieRequest>().headers },
}));

/**
 * Injects the refresh token from its HttpOnly cookie, after the cross-site and CSRF checks (403)
 * and 400 when the cookie is missing; `undefined` when cookie mode is off (read the body then).
 */
export const RefreshCookie = (): ParameterDecorator => requestHeaders(RefreshCookiePipe);

const withRole = (role: RefreshCookieRole) => applyDecorators(SetMetadata(REFRESH_COOKIE_ROLE, role), UseInterceptors(RefreshCookieInterceptor));

/**
 * On a route that returns a `TokenPair` (login, refresh, password change): refuses cross-site
 * requests first, then moves the refresh token from the body into the cookie (ending the session
 * of a refresh cookie the browser still had from an earlier sign-in); clears the cookies when a
 * refresh is refused as invalid or revoked.
 */
export const SetsRefreshCookie = () => withRole('sets');

/**
 * On logout routes: refuses cross-site requests and, when the refresh cookie is present, requests
 * without its CSRF token, before the handler runs; then clears the cookies and answers
 * `Clear-Site-Data: "cookies"`.
 */
export const ClearsRefreshCookie = () => withRole('clears');
