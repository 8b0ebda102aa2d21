import { hkdfSync } from 'node:crypto';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { JWT_REVOCATION_DEFAULTS } from '../options/jwt-revocation.defaults';
import type { RefreshCookieOptions } from '../options/jwt-revocation-options.interface';
import { prefixedCookieName } from './cookie-name-prefix';
import type { ResolvedCookies } from './resolved-cookies';

const DEFAULTS = JWT_REVOCATION_DEFAULTS.cookies;
/** RFC 9110 token characters: what a cookie or header name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A Path attribute value: printable, no space, no `;` (RFC 6265 §4.1.1). */
const PATH = /^\/[\x21-\x3A\x3C-\x7E]*$/;
/**
 * Headers a cross-origin page may send without a CORS preflight (CORS-safelisted), or that the
 * browser writes itself: a CSRF token there would lose the protection of the preflight.
 */
const UNFIT_HEADERS = new Set(['accept', 'accept-language', 'content-language', 'content-type', 'range', 'cookie', 'origin', 'host', 'referer']);

/**
 * Applies `JWT_REVOCATION_DEFAULTS.cookies` to the `cookies` option; `false` when cookie mode is
 * off. Cookie mode carries refresh tokens, so it needs sessions (their key signs the CSRF tokens).
 */
export function resolveCookieOptions(cookies: RefreshCookieOptions | boolean | undefined, refreshTokenKey: Buffer | undefined): ResolvedCookies | false {
  if (cookies === undefined || cookies === false) return false;
  if (cookies !== true && (typeof cookies !== 'object' || cookies === null || Array.isArray(cookies))) {
    throw new JwtRevocationConfigError('cookies must be true, false or an object', 'Pass `cookies: true` for the defaults, or `cookies: { path, secure, ... }`.');
  }
  if (!refreshTokenKey) {
    throw new JwtRevocationConfigError('cookie mode needs sessions', 'Cookies carry refresh tokens: turn sessions on, or leave `cookies` out.');
  }
  const given: RefreshCookieOptions = cookies === true ? {} : cookies;
  const secure = booleanOption(given.secure, DEFAULTS.secure, 'cookies.secure');
  const path = given.path ?? DEFAULTS.path;
  if (typeof path !== 'string' || !PATH.test(path)) {
    throw new JwtRevocationConfigError(`cookies.path ${JSON.stringify(path)} is not a cookie path`, 'Use an absolute path such as "/auth", without spaces or ";".');
  }
  const csrf = given.csrf ?? {};
  if (typeof csrf !== 'object' || csrf === null) {
    throw new JwtRevocationConfigError('cookies.csrf must be an object', 'Pass `csrf: { header, cookie }` or leave it out.');
  }
  const csrfHeader = headerName(csrf.header ?? DEFAULTS.csrf.header);
  return {
    refreshCookie: prefixedCookieName(cookieName(given.name ?? DEFAULTS.name, 'cookies.name'), { secure, path }),
    // The page reads this one from wherever it is served, so it is always Path=/.
    csrfCookie: prefixedCookieName(cookieName(csrf.cookie ?? DEFAULTS.csrf.cookie, 'cookies.csrf.cookie'), { secure, path: '/' }),
    path,
    secure,
    sameSite: sameSiteOf(given.sameSite),
    csrfHeader,
    trustedOrigins: new Set(trustedOriginsOf(given.trustedOrigins)),
    clearSiteData: booleanOption(given.clearSiteData, DEFAULTS.clearSiteData, 'cookies.clearSiteData'),
    csrfKey: Buffer.from(hkdfSync('sha256', refreshTokenKey, 'nestjs-jwt-revocation', 'csrf-token', 32)),
  };
}

function cookieName(name: unknown, option: string): string {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new JwtRevocationConfigError(`${option} ${JSON.stringify(name)} is not a cookie name`, 'Use letters, digits and - _ . only.');
  }
  if (/^__(host|secure)-/i.test(name)) {
    throw new JwtRevocationConfigError(`${option} "${name}" carries a prefix`, 'Give the bare name: the __Host- or __Secure- prefix follows from `secure` and `path`.');
  }
  return name;
}

function headerName(name: unknown): string {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new JwtRevocationConfigError(`cookies.csrf.header ${JSON.stringify(name)} is not a header name`, 'Use a custom header such as "x-csrf-token".');
  }
  const lower = name.toLowerCase();
  if (UNFIT_HEADERS.has(lower) || lower.startsWith('sec-') || lower.startsWith('proxy-')) {
    throw new JwtRevocationConfigError(
      `cookies.csrf.header "${name}" cannot carry a CSRF token`,
      'Use a custom header such as "x-csrf-token": other pages can only send one after a CORS preflight.',
    );
  }
  return lower;
}

function sameSiteOf(value: unknown): 'Strict' | 'Lax' {
  const sameSite = value ?? DEFAULTS.sameSite;
  if (sameSite === 'strict') return 'Strict';
  if (sameSite === 'lax') return 'Lax';
  throw new JwtRevocationConfigError(
    `cookies.sameSite ${JSON.stringify(value)} is not supported`,
    'Use "strict" (default) or "lax"; "none" would send the refresh cookie along with requests from other sites.',
  );
}

function trustedOriginsOf(value: unknown): string[] {
  if (value === undefined) return [...DEFAULTS.trustedOrigins];
  if (!Array.isArray(value)) throw new JwtRevocationConfigError('cookies.trustedOrigins must be an array', 'Pass origins such as ["https://app.example.com"].');
  return value.map((origin: unknown) => {
    let parsed: URL | undefined;
    try {
      parsed = typeof origin === 'string' ? new URL(origin) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin || parsed.origin === 'null') {
      throw new JwtRevocationConfigError(
        `cookies.trustedOrigins holds ${JSON.stringify(origin)}, which is not an origin`,
        'Write each as scheme://host[:port] with no path or trailing slash, e.g. "https://app.example.com".',
      );
    }
    return parsed.origin;
  });
}

function booleanOption(value: unknown, fallback: boolean, option: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new JwtRevocationConfigError(`${option} must be true or false`, `Set ${option} to a boolean or leave it out.`);
  return value;
}
