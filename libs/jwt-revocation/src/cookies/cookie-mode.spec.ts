import { Body, Controller, HttpCode, Post, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import { AuthTokenService } from '../auth-token.service';
import { CurrentUser } from '../decorators/current-user.decorator';
import { Public } from '../decorators/public.decorator';
import { JwtRevocationModule } from '../jwt-revocation.module';
import type { RefreshCookieOptions } from '../options/jwt-revocation-options.interface';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import { ClearsRefreshCookie, RefreshCookie, SetsRefreshCookie } from './refresh-cookie.decorators';

/** What an app writes for cookie mode: the decorators, no response object, no cookie code. */
@Controller('auth')
class CookieAuthController {
  constructor(private readonly tokens: AuthTokenService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @SetsRefreshCookie()
  login(@Body('user') user: string) {
    return this.tokens.login(user);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @SetsRefreshCookie()
  refresh(@RefreshCookie() refreshToken: string) {
    return this.tokens.refresh(refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ClearsRefreshCookie()
  logout(@CurrentUser() user: AuthenticatedUser) {
    return this.tokens.logout(user);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ClearsRefreshCookie()
  logoutAll(@CurrentUser('id') userId: string) {
    return this.tokens.logoutAll(userId);
  }
}

const setCookies = (res: { headers: Record<string, unknown> }): string[] => {
  const header = res.headers['set-cookie'];
  return Array.isArray(header) ? header : header ? [String(header)] : [];
};
const valueOf = (cookies: string[], name: string) => cookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0].slice(name.length + 1);

describe.each(['express', 'fastify'] as const)('cookie mode on %s (a bare app, no cookie plugin)', (adapter) => {
  let app: INestApplication;
  let sessions: InMemorySessionStore;
  let versions: InMemoryTokenVersionStore;

  async function start(cookies: RefreshCookieOptions | boolean) {
    versions = new InMemoryTokenVersionStore();
    sessions = new InMemorySessionStore();
    for (const user of ['alice', 'bob']) versions.addUser(user);
    const moduleRef = await Test.createTestingModule({
      imports: [JwtRevocationModule.forRoot({ secret: 'Q-sSGHwZZbsq_r797mvqsjASObtv22i1IvxYcfPjAKo', tokenVersionStore: versions, sessionStore: sessions, sessions: { absoluteTtl: 3600 }, cookies })],
      controllers: [CookieAuthController],
    }).compile();
    app = moduleRef.createNestApplication(adapter === 'fastify' ? new FastifyAdapter() : new ExpressAdapter());
    await app.init();
    if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  }

  afterEach(() => app?.close());

  const http = () => request(app.getHttpServer());

  async function signIn(user = 'alice') {
    const res = await http().post('/auth/login').send({ user }).expect(200);
    const cookies = setCookies(res);
    return { res, cookies, refresh: valueOf(cookies, '__Secure-refresh')!, csrf: valueOf(cookies, '__Host-csrf')! };
  }
  const cookieHeader = (s: { refresh: string; csrf: string }) => `__Secure-refresh=${s.refresh}; __Host-csrf=${s.csrf}`;
  const snapshot = async (user = 'alice') => JSON.stringify([await sessions.listActive(user, Date.now()), await versions.getVersion(user)]);

  it('sets the refresh cookie HttpOnly, Secure, SameSite=Strict, Path=/auth, Max-Age = the session lifetime, and keeps it out of the body', async () => {
    await start(true);
    const { res, cookies, refresh, csrf } = await signIn();
    expect(res.body.refreshToken).toBeUndefined();
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(cookies.find((c) => c.startsWith('__Secure-refresh='))).toBe(`__Secure-refresh=${refresh}; Path=/auth; Max-Age=3600; HttpOnly; Secure; SameSite=Strict`);
    expect(cookies.find((c) => c.startsWith('__Host-csrf='))).toBe(`__Host-csrf=${csrf}; Path=/; Max-Age=3600; Secure; SameSite=Strict`);
  });

  it('refreshes from the cookie with the CSRF token, and the Max-Age follows what is left of the session', async () => {
    await start(true);
    const s = await signIn();
    // Ten minutes later, 50 of the session's 60 minutes are left.
    const realNow = Date.now;
    const later = realNow() + 600_000;
    jest.spyOn(Date, 'now').mockImplementation(() => later);
    const res = await http().post('/auth/refresh').set('Cookie', cookieHeader(s)).set('X-CSRF-Token', s.csrf).expect(200);
    jest.restoreAllMocks();
    const rotated = setCookies(res).find((c) => c.startsWith('__Secure-refresh='))!;
    expect(rotated).toMatch(/Max-Age=(2999|3000);/);
    expect(setCookies(res).find((c) => c.startsWith('__Host-csrf='))).toMatch(/Max-Age=(2999|3000);/);
    expect(valueOf([rotated], '__Secure-refresh')).not.toBe(s.refresh);
    expect(res.body.refreshToken).toBeUndefined();
  });

  it('refuses a refresh without the CSRF token, with another session\'s token, or from another site, and changes nothing', async () => {
    await start(true);
    const s = await signIn();
    const other = await signIn('bob');
    const before = await snapshot();
    for (const attempt of [
      http().post('/auth/refresh').set('Cookie', cookieHeader(s)),
      http().post('/auth/refresh').set('Cookie', cookieHeader(s)).set('X-CSRF-Token', other.csrf),
      http().post('/auth/refresh').set('Cookie', cookieHeader(s)).set('X-CSRF-Token', s.csrf).set('Origin', 'https://evil.example').set('Sec-Fetch-Site', 'cross-site'),
    ]) {
      const res = await attempt.expect(403);
      expect(setCookies(res)).toEqual([]);
    }
    expect(await snapshot()).toBe(before);
    await http().post('/auth/refresh').set('Cookie', cookieHeader(s)).set('X-CSRF-Token', s.csrf).expect(200);
  });

  it('answers 400 to a refresh without the cookie', async () => {
    await start(true);
    await http().post('/auth/refresh').set('X-CSRF-Token', 'x').expect(400);
  });

  it('refuses a cross-site login before it signs anyone in (login CSRF)', async () => {
    await start(true);
    const res = await http()
      .post('/auth/login')
      .set('Origin', 'https://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      // What an HTML form can post (enctype text/plain) and both platforms accept.
      .set('Content-Type', 'text/plain')
      .send('{"user":"alice"}')
      .expect(403);
    expect(setCookies(res)).toEqual([]);
    expect(await sessions.listActive('alice', Date.now())).toEqual([]);
  });

  it('accepts a login from its own origin and from a trusted one', async () => {
    await start({ trustedOrigins: ['https://app.example.com'] });
    await http().post('/auth/login').set('Host', 'api.example.com').set('Origin', 'https://api.example.com').set('Sec-Fetch-Site', 'same-origin').send({ user: 'alice' }).expect(200);
    await http().post('/auth/login').set('Origin', 'https://app.example.com').set('Sec-Fetch-Site', 'same-site').send({ user: 'alice' }).expect(200);
    await http().post('/auth/login').set('Origin', 'https://evil.example.com').set('Sec-Fetch-Site', 'same-site').send({ user: 'alice' }).expect(403);
  });

  it('ends the session of a refresh cookie the browser still had when it signs in again', async () => {
    await start(true);
    const first = await signIn();
    const second = await http().post('/auth/login').set('Cookie', cookieHeader(first)).send({ user: 'alice' }).expect(200);
    expect(await sessions.listActive('alice', Date.now())).toHaveLength(1);
    await http().post('/auth/refresh').set('Cookie', cookieHeader(first)).set('X-CSRF-Token', first.csrf).expect(401);
    const cookies = setCookies(second);
    await http()
      .post('/auth/refresh')
      .set('Cookie', `__Secure-refresh=${valueOf(cookies, '__Secure-refresh')}`)
      .set('X-CSRF-Token', valueOf(cookies, '__Host-csrf')!)
      .expect(200);
  });

  it('clears both cookies when a refresh finds the session revoked', async () => {
    await start(true);
    const s = await signIn();
    await http().post('/auth/logout-all').set('Authorization', `Bearer ${s.res.body.accessToken}`).expect(204);
    const res = await http().post('/auth/refresh').set('Cookie', cookieHeader(s)).set('X-CSRF-Token', s.csrf).expect(401);
    expect(setCookies(res)).toEqual([
      '__Secure-refresh=; Path=/auth; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict',
      '__Host-csrf=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Strict',
    ]);
  });

  it.each(['logout', 'logout-all'])('%s needs the CSRF token with the cookie, then clears the cookies with Clear-Site-Data', async (route) => {
    await start(true);
    const s = await signIn();
    const bearer = `Bearer ${s.res.body.accessToken}`;
    const before = await snapshot();
    await http().post(`/auth/${route}`).set('Authorization', bearer).set('Cookie', cookieHeader(s)).expect(403);
    expect(await snapshot()).toBe(before);
    const res = await http().post(`/auth/${route}`).set('Authorization', bearer).set('Cookie', cookieHeader(s)).set('X-CSRF-Token', s.csrf).expect(204);
    expect(res.headers['clear-site-data']).toBe('"cookies"');
    expect(setCookies(res).map((c) => c.split(';')[0])).toEqual(['__Secure-refresh=', '__Host-csrf=']);
    expect(await sessions.listActive('alice', Date.now())).toEqual([]);
  });

  it('names the cookies without prefix and without Secure when secure: false, with __Host- for path /', async () => {
    await start({ secure: false, sameSite: 'lax', clearSiteData: false });
    let cookies = setCookies(await http().post('/auth/login').send({ user: 'alice' }).expect(200));
    expect(cookies[0]).toMatch(/^refresh=rt\.[^;]+; Path=\/auth; Max-Age=3600; HttpOnly; SameSite=Lax$/);
    expect(cookies[1]).toMatch(/^csrf=[^;]+; Path=\/; Max-Age=3600; SameSite=Lax$/);
    await app.close();
    await start({ path: '/' });
    cookies = setCookies(await http().post('/auth/login').send({ user: 'alice' }).expect(200));
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['__Host-refresh', '__Host-csrf']);
  });

  it('leaves bodies alone when cookie mode is off', async () => {
    await start(false);
    const res = await http().post('/auth/login').send({ user: 'alice' }).expect(200);
    expect(res.body.refreshToken).toMatch(/^rt\./);
    expect(setCookies(res)).toEqual([]);
    await http().post('/auth/login').set('Origin', 'https://evil.example').send({ user: 'alice' }).expect(200);
  });
});
