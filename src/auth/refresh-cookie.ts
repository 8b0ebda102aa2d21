import { BadRequestException, ForbiddenException, Injectable } from '@nestjs/common';
import { parse, serialize } from 'cookie';
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const REFRESH_COOKIE = 'refresh_token';
export const CSRF_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'x-csrf-token';
const REFRESH_PATH = '/auth';

type HeaderReader = { headers: Record<string, string | string[] | undefined> };
type HeaderWriter = { header(name: string, value: string | string[]): unknown };

/**
 * Browser mode: the refresh token lives in an HttpOnly, Secure, SameSite=Strict cookie scoped to
 * /auth, out of reach of page scripts. Refresh and logout then need a CSRF proof: the
 * double-submit token, readable by the page's own script only, echoed in `X-CSRF-Token`.
 */
@Injectable()
export class RefreshCookie {
  write(response: HeaderWriter, refreshToken: string, maxAgeSeconds: number): void {
    const csrf = randomBytes(24).toString('base64url');
    response.header('Set-Cookie', [
      serialize(REFRESH_COOKIE, refreshToken, { httpOnly: true, secure: true, sameSite: 'strict', path: REFRESH_PATH, maxAge: maxAgeSeconds }),
      serialize(CSRF_COOKIE, csrf, { httpOnly: false, secure: true, sameSite: 'strict', path: '/', maxAge: maxAgeSeconds }),
    ]);
  }

  clear(response: HeaderWriter): void {
    response.header('Set-Cookie', [
      serialize(REFRESH_COOKIE, '', { httpOnly: true, secure: true, sameSite: 'strict', path: REFRESH_PATH, maxAge: 0 }),
      serialize(CSRF_COOKIE, '', { secure: true, sameSite: 'strict', path: '/', maxAge: 0 }),
    ]);
  }

  /** The refresh token from the cookie, after the CSRF check; 403 when the check fails, 400 when absent. */
  read(request: HeaderReader): string {
    const cookies = this.cookies(request);
    this.assertCsrf(request, cookies);
    const token = cookies[REFRESH_COOKIE];
    if (!token) throw new BadRequestException('refresh_token cookie is required');
    return token;
  }

  assertCsrf(request: HeaderReader, cookies = this.cookies(request)): void {
    const header = request.headers[CSRF_HEADER];
    const expected = cookies[CSRF_COOKIE];
    if (typeof header !== 'string' || !expected || header.length !== expected.length || !timingSafeEqual(Buffer.from(header), Buffer.from(expected))) {
      throw new ForbiddenException('CSRF check failed: send the csrf_token cookie value in X-CSRF-Token');
    }
  }

  private cookies(request: HeaderReader): Record<string, string | undefined> {
    const header = request.headers.cookie;
    return typeof header === 'string' ? parse(header) : {};
  }
}
