import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { JWT_REVOCATION_DEFAULTS } from '../options/jwt-revocation.defaults';
import type { JwtRevocationModuleOptions, RefreshCookieOptions } from '../options/jwt-revocation-options.interface';
import { resolveOptions } from '../options/resolve-options';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import { prefixedCookieName } from './cookie-name-prefix';
import type { ResolvedCookies } from './resolved-cookies';

const base = (cookies: unknown, extra: Partial<JwtRevocationModuleOptions> = {}): JwtRevocationModuleOptions => ({
  secret: '4mTcsVr7u6lOKIkr09uw0g0l5RIBCiOde75LMCAi3tY',
  tokenVersionStore: new InMemoryTokenVersionStore(),
  sessionStore: new InMemorySessionStore(),
  cookies: cookies as RefreshCookieOptions,
  ...extra,
});

const cookiesOf = (cookies: unknown): ResolvedCookies => {
  const resolved = resolveOptions(base(cookies)).cookies;
  if (!resolved) throw new Error('cookie mode is off');
  return resolved;
};

function configError(cookies: unknown, extra: Partial<JwtRevocationModuleOptions> = {}): string {
  try {
    resolveOptions(base(cookies, extra));
  } catch (error) {
    expect(error).toBeInstanceOf(JwtRevocationConfigError);
    return (error as Error).message;
  }
  throw new Error('the options were accepted');
}

describe('cookie mode options', () => {
  it('is off unless asked for', () => {
    expect(resolveOptions(base(undefined)).cookies).toBe(false);
    expect(resolveOptions(base(false)).cookies).toBe(false);
  });

  it('applies the defaults object: Secure, SameSite=Strict, Path=/auth, prefixed names, the CSRF header', () => {
    const cookies = cookiesOf(true);
    expect(cookies).toMatchObject({
      refreshCookie: '__Secure-refresh',
      csrfCookie: '__Host-csrf',
      path: '/auth',
      secure: true,
      sameSite: 'Strict',
      csrfHeader: 'x-csrf-token',
      clearSiteData: true,
    });
    expect([...cookies.trustedOrigins]).toEqual([]);
    expect(cookiesOf({})).toEqual(cookies);
    expect(JWT_REVOCATION_DEFAULTS.cookies).toMatchObject({ name: 'refresh', path: '/auth', secure: true, sameSite: 'strict' });
    expect(Object.isFrozen(JWT_REVOCATION_DEFAULTS.cookies)).toBe(true);
  });

  it.each([
    [{ path: '/' }, '__Host-refresh', '__Host-csrf'],
    [{ path: '/api/auth' }, '__Secure-refresh', '__Host-csrf'],
    [{ secure: false }, 'refresh', 'csrf'],
    [{ secure: false, path: '/' }, 'refresh', 'csrf'],
    [{ name: 'rt', csrf: { cookie: 'xsrf' } }, '__Secure-rt', '__Host-xsrf'],
  ])('names the cookies by the prefix rule for %j', (options, refresh, csrf) => {
    expect(cookiesOf(options)).toMatchObject({ refreshCookie: refresh, csrfCookie: csrf });
  });

  it('prefixes __Host- only for Secure with Path=/, __Secure- for Secure elsewhere, nothing without Secure', () => {
    expect(prefixedCookieName('a', { secure: true, path: '/' })).toBe('__Host-a');
    expect(prefixedCookieName('a', { secure: true, path: '/x' })).toBe('__Secure-a');
    expect(prefixedCookieName('a', { secure: false, path: '/' })).toBe('a');
  });

  it('keeps the values given', () => {
    expect(cookiesOf({ sameSite: 'lax', csrf: { header: 'X-XSRF' }, trustedOrigins: ['https://app.example.com'], clearSiteData: false })).toMatchObject({
      sameSite: 'Lax',
      csrfHeader: 'x-xsrf',
      clearSiteData: false,
    });
    expect([...cookiesOf({ trustedOrigins: ['https://app.example.com'] }).trustedOrigins]).toEqual(['https://app.example.com']);
  });

  it('derives a CSRF key of its own, which changes with the refresh-token secret', () => {
    const a = resolveOptions(base(true)).cookies as ResolvedCookies;
    const b = resolveOptions(base(true, { refreshTokenSecret: 'NNU_4GnE7omytNWEqApBEpvacxU01ds5SzYztLUrPHg' })).cookies as ResolvedCookies;
    expect(a.csrfKey).toHaveLength(32);
    expect(a.csrfKey.equals(b.csrfKey)).toBe(false);
  });

  describe('startup errors say how to fix them', () => {
    it('refuses cookie mode without sessions', () => {
      expect(configError(true, { sessions: false })).toContain('cookie mode needs sessions');
    });

    it('refuses SameSite=None and unknown values', () => {
      expect(configError({ sameSite: 'none' })).toContain('"none" would send the refresh cookie');
      expect(configError({ sameSite: 'Strict' })).toContain('cookies.sameSite');
    });

    it.each(['__Host-refresh', '__secure-refresh'])('refuses a name that carries a prefix (%s)', (name) => {
      expect(configError({ name })).toContain('Give the bare name');
    });

    it.each(['', 'a b', 'a;b', 'ré', 42])('refuses the cookie name %p', (name) => {
      expect(configError({ name })).toContain('is not a cookie name');
    });

    it.each(['auth', '/a b', '/a;b', '', 7])('refuses the path %p', (path) => {
      expect(configError({ path })).toContain('is not a cookie path');
    });

    it.each(['content-type', 'Accept', 'cookie', 'sec-fetch-site', 'x csrf'])('refuses %p as the CSRF header', (header) => {
      expect(configError({ csrf: { header } })).toMatch(/cookies\.csrf\.header/);
    });

    it.each([['https://app.example.com/'], ['app.example.com'], ['https://a.example/x'], ['null'], [42]])('refuses trusted origin %p', (origin) => {
      expect(configError({ trustedOrigins: [origin] })).toContain('is not an origin');
    });

    it.each([[{ secure: 'false' }, 'cookies.secure'], [{ clearSiteData: 1 }, 'cookies.clearSiteData'], [{ trustedOrigins: 'https://a.example' }, 'cookies.trustedOrigins'], ['yes', 'cookies must be']])(
      'refuses %j',
      (cookies, message) => {
        expect(configError(cookies)).toContain(message);
      },
    );

    it('refuses unknown keys, naming the known ones', () => {
      expect(configError({ domain: 'example.com' })).toContain('unknown option "cookies.domain"');
      expect(configError({ csrf: { headerName: 'x' } })).toContain('unknown option "cookies.csrf.headerName"');
    });
  });
});
