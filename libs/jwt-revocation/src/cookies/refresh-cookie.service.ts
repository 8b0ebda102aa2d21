import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import type { TokenPair } from '../access-tokens/token-pair';
import { CsrfRefusedException } from '../errors/csrf-refused.exception';
import { SessionService } from '../sessions/session.service';
import { readCookie, serializeCookie, type CookieAttributes } from './cookie-header';
import { crossSiteReason } from './cross-site-request';
import { csrfTokenFor, isCsrfTokenFor } from './csrf-token';
import type { ResolvedCookies } from './resolved-cookies';
import { appendSetCookie, setHeader } from './response-headers';

/** What the cookie checks read of a request, on Express and Fastify alike. */
export interface CookieRequest {
  headers: Record<string, string | string[] | undefined>;
}

/** A token pair as the browser receives it in cookie mode: the refresh token is in the cookie only. */
export type CookieTokenPair = Omit<TokenPair, 'refreshToken'>;

/**
 * Cookie mode's one implementation: reads the refresh token from its HttpOnly cookie after the
 * cross-site and CSRF checks, writes it (with the CSRF cookie) on login and refresh, clears both on
 * logout. `@RefreshCookie()`, `@SetsRefreshCookie()` and `@ClearsRefreshCookie()` call it; inject it
 * for anything they do not cover. Every method is a no-op when cookie mode is off.
 */
@Injectable()
export class RefreshCookieService {
  private readonly settings: ResolvedCookies | false;

  constructor(
    @Inject(RESOLVED_OPTIONS) options: ResolvedOptions,
    private readonly sessions: SessionService,
  ) {
    this.settings = options.cookies;
  }

  /** Whether cookie mode is on (the `cookies` option). */
  get enabled(): boolean {
    return this.settings !== false;
  }

  /** The names and attributes written, for tests and documentation pages. */
  get cookies(): ResolvedCookies | false {
    return this.settings;
  }

  /** 403 for a request another site started (`Origin`, `Sec-Fetch-Site`); checked before anything changes. */
  assertSameSite(request: CookieRequest): void {
    if (!this.settings) return;
    if (crossSiteReason(request.headers, this.settings.trustedOrigins) !== undefined) {
      throw new CsrfRefusedException('cross-site', 'Cross-site request refused: this route accepts requests from its own site only');
    }
  }

  /** Whether the request carries a refresh cookie. */
  hasRefreshCookie(request: CookieRequest): boolean {
    return this.settings !== false && readCookie(request.headers.cookie, this.settings.refreshCookie) !== undefined;
  }

  /**
   * When the request carries a refresh cookie, 403 unless it also carries that session's CSRF
   * token in the CSRF header (and does not come from another site).
   */
  assertCsrf(request: CookieRequest): void {
    if (!this.settings) return;
    const token = readCookie(request.headers.cookie, this.settings.refreshCookie);
    if (token === undefined) return;
    this.assertSameSite(request);
    const sessionId = this.sessions.sessionIdOf(token);
    const given = request.headers[this.settings.csrfHeader];
    if (sessionId === undefined || !isCsrfTokenFor(this.settings.csrfKey, sessionId, given)) {
      throw new CsrfRefusedException('csrf-token', `CSRF check failed: send the value of the ${this.settings.csrfCookie} cookie in the ${this.settings.csrfHeader} header`);
    }
  }

  /**
   * The refresh token from the cookie, after the cross-site and CSRF checks (403); 400 when there
   * is no cookie. Undefined when cookie mode is off.
   */
  readRefreshToken(request: CookieRequest): string | undefined {
    if (!this.settings) return undefined;
    this.assertSameSite(request);
    const token = readCookie(request.headers.cookie, this.settings.refreshCookie);
    if (token === undefined) throw new BadRequestException(`The ${this.settings.refreshCookie} cookie is missing: log in again`);
    this.assertCsrf(request);
    return token;
  }

  /**
   * Puts the pair's refresh token into the cookie (with the CSRF cookie of its session) and returns
   * the body without it. A refresh cookie of another session on the request is that browser's
   * previous sign-in: it is ended first. The pair comes back unchanged when cookie mode is off.
   */
  async deliver(request: CookieRequest, response: unknown, pair: TokenPair): Promise<CookieTokenPair | TokenPair> {
    if (!this.settings || pair.refreshToken === undefined) return pair;
    const { refreshToken, ...body } = pair;
    const sessionId = this.sessions.sessionIdOf(refreshToken);
    if (sessionId === undefined) throw new TypeError('deliver() takes a pair issued by AuthTokenService');
    const previous = readCookie(request.headers.cookie, this.settings.refreshCookie);
    if (previous !== undefined) await this.sessions.endByRefreshToken(previous, sessionId);
    const maxAge = pair.refreshExpiresIn ?? 0;
    appendSetCookie(response, [
      serializeCookie(this.settings.refreshCookie, refreshToken, this.attributes(true, maxAge)),
      serializeCookie(this.settings.csrfCookie, csrfTokenFor(this.settings.csrfKey, sessionId), this.attributes(false, maxAge)),
    ]);
    return body;
  }

  /** Expires both cookies; with `clearSiteData` (logout) also answers `Clear-Site-Data: "cookies"` when so configured. */
  clear(response: unknown, options: { clearSiteData?: boolean } = {}): void {
    if (!this.settings) return;
    appendSetCookie(response, [
      serializeCookie(this.settings.refreshCookie, '', this.attributes(true, 0)),
      serializeCookie(this.settings.csrfCookie, '', this.attributes(false, 0)),
    ]);
    if (options.clearSiteData && this.settings.clearSiteData) setHeader(response, 'Clear-Site-Data', '"cookies"');
  }

  private attributes(refresh: boolean, maxAge: number): CookieAttributes {
    const settings = this.settings as ResolvedCookies;
    return {
      path: refresh ? settings.path : '/',
      maxAge,
      secure: settings.secure,
      // The page must read the CSRF token to echo it; the refresh token stays out of every script's reach.
      httpOnly: refresh,
      sameSite: settings.sameSite,
    };
  }
}
