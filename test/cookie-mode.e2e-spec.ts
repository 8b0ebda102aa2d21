import { DataSource } from 'typeorm';
import request from 'supertest';
import { testMatrix } from './support/databases';
import { CapturingLogger } from './support/log-capture';
import { bearer, createTestApp, testConfig, type TestApp } from './support/test-app';

const REFRESH = '__Secure-refresh';
const CSRF = '__Host-csrf';

const setCookies = (res: { headers: Record<string, unknown> }): string[] => {
  const header = res.headers['set-cookie'];
  return Array.isArray(header) ? header : header ? [String(header)] : [];
};
const cookieValue = (cookies: string[], name: string) => cookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0].slice(name.length + 1);

describe.each(testMatrix().filter((m) => m.database.name === 'sqlite'))('cookie mode on $label', ({ database, adapter }) => {
  let t: TestApp;
  let drop: () => Promise<void>;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    const app = await createTestApp(testConfig(created.url, { httpAdapter: adapter, cookieMode: true }), logger);
    t = { app, http: () => request(app.getHttpServer()), close: () => app.close() };
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  const password = 'cookie password';

  async function signIn(email = `cookie-${Date.now()}-${Math.random()}@example.com`) {
    await t.http().post('/auth/register').send({ email, password }).expect(201);
    const res = await t.http().post('/auth/login').send({ email, password }).expect(200);
    const cookies = setCookies(res);
    const refresh = cookieValue(cookies, REFRESH)!;
    const csrf = cookieValue(cookies, CSRF)!;
    return { email, res, cookies, refresh, csrf, cookie: `${REFRESH}=${refresh}; ${CSRF}=${csrf}` };
  }

  /** Every session row and every user's version: what a refused request must leave as it was. */
  const databaseState = async () => {
    const db = t.app.get(DataSource);
    return JSON.stringify([await db.query('SELECT * FROM jwt_sessions ORDER BY id'), await db.query('SELECT id, token_version FROM users ORDER BY id')]);
  };

  it('puts the refresh token only in an HttpOnly, Secure, SameSite=Strict, __Secure- prefixed cookie scoped to /auth', async () => {
    const { res, cookies, refresh, csrf } = await signIn();
    expect(res.body.refreshToken).toBeUndefined();
    expect(res.body.accessToken).toEqual(expect.any(String));
    const refreshCookie = cookies.find((c) => c.startsWith(`${REFRESH}=`))!;
    expect(refreshCookie).toMatch(/HttpOnly/i);
    expect(refreshCookie).toMatch(/Secure/i);
    expect(refreshCookie).toMatch(/SameSite=Strict/i);
    expect(refreshCookie).toMatch(/Path=\/auth;/);
    expect(refreshCookie).toMatch(new RegExp(`Max-Age=${30 * 24 * 3600};`));
    expect(refresh).toMatch(/^rt\./);
    // The CSRF token is for the page's script: readable, Path=/ and so __Host- prefixed.
    const csrfCookie = cookies.find((c) => c.startsWith(`${CSRF}=`))!;
    expect(csrfCookie).not.toMatch(/HttpOnly/i);
    expect(csrfCookie).toMatch(/Path=\/;.*Secure; SameSite=Strict/);
    expect(csrf).toMatch(/^[\w-]{43}$/);
  });

  it('refreshes from the cookie with the CSRF header, and refuses without or with a wrong one', async () => {
    const { refresh, csrf, cookie } = await signIn();
    await t.http().post('/auth/refresh').set('Cookie', cookie).send({}).expect(403);
    await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', 'forged').send({}).expect(403);
    const res = await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({}).expect(200);
    const rotated = cookieValue(setCookies(res), REFRESH);
    expect(rotated).toMatch(/^rt\./);
    expect(rotated).not.toBe(refresh);
    expect(res.body.refreshToken).toBeUndefined();
    await t.http().get('/me').set(bearer(res.body.accessToken)).expect(200);
  });

  it('needs the CSRF header to log out, and clears the cookies with Clear-Site-Data when it does', async () => {
    const { res, csrf, cookie } = await signIn();
    await t.http().post('/auth/logout').set(bearer(res.body.accessToken)).set('Cookie', cookie).expect(403);
    await t.http().get('/me').set(bearer(res.body.accessToken)).expect(200);
    const out = await t.http().post('/auth/logout').set(bearer(res.body.accessToken)).set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    expect(setCookies(out).find((c) => c.startsWith(`${REFRESH}=`))).toMatch(/Max-Age=0/);
    expect(setCookies(out).find((c) => c.startsWith(`${CSRF}=`))).toMatch(/Max-Age=0/);
    expect(out.headers['clear-site-data']).toBe('"cookies"');
    await t.http().get('/me').set(bearer(res.body.accessToken)).expect(401);
    await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({}).expect(401);
  });

  it('needs the CSRF header to log out everywhere, then clears the cookies', async () => {
    const { res, csrf, cookie } = await signIn();
    await t.http().post('/auth/logout-all').set(bearer(res.body.accessToken)).set('Cookie', cookie).expect(403);
    const out = await t.http().post('/auth/logout-all').set(bearer(res.body.accessToken)).set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    expect(setCookies(out).map((c) => c.split(';')[0])).toEqual([`${REFRESH}=`, `${CSRF}=`]);
    expect(out.headers['clear-site-data']).toBe('"cookies"');
  });

  it('changes nothing in the database for a refused request', async () => {
    const { res, csrf, cookie, email } = await signIn();
    const other = await signIn();
    const before = await databaseState();
    const crossSite = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
    await t.http().post('/auth/refresh').set('Cookie', cookie).send({}).expect(403);
    await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', other.csrf).send({}).expect(403);
    await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', csrf).set(crossSite).send({}).expect(403);
    await t.http().post('/auth/logout').set(bearer(res.body.accessToken)).set('Cookie', cookie).expect(403);
    await t.http().post('/auth/logout-all').set(bearer(res.body.accessToken)).set('Cookie', cookie).set('X-CSRF-Token', other.csrf).expect(403);
    await t.http().post('/auth/login').set('Cookie', cookie).set(crossSite).send({ email, password }).expect(403);
    expect(await databaseState()).toBe(before);
  });

  it('refuses a login form posted from another site (login CSRF): no cookie, no session', async () => {
    const { email } = await signIn();
    const before = await databaseState();
    // An HTML form can post text/plain, which both platforms accept.
    const res = await t
      .http()
      .post('/auth/login')
      .set({ Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'text/plain' })
      .send(JSON.stringify({ email, password }))
      .expect(403);
    expect(setCookies(res)).toEqual([]);
    expect(res.body.accessToken).toBeUndefined();
    await t.http().post('/auth/login').set('Origin', 'http://localhost:9999').set('Sec-Fetch-Site', 'same-site').send({ email, password }).expect(403);
    expect(await databaseState()).toBe(before);
  });

  it('ends the session of the refresh cookie a login arrives with', async () => {
    const first = await signIn();
    const again = await t.http().post('/auth/login').set('Cookie', first.cookie).send({ email: first.email, password }).expect(200);
    await t.http().post('/auth/refresh').set('Cookie', first.cookie).set('X-CSRF-Token', first.csrf).send({}).expect(401);
    await t.http().get('/me').set(bearer(first.res.body.accessToken)).expect(401);
    const cookies = setCookies(again);
    await t
      .http()
      .post('/auth/refresh')
      .set('Cookie', `${REFRESH}=${cookieValue(cookies, REFRESH)}`)
      .set('X-CSRF-Token', cookieValue(cookies, CSRF)!)
      .send({})
      .expect(200);
  });

  it('clears the cookies when a refresh finds the session revoked', async () => {
    const { res, csrf, cookie } = await signIn();
    const sessions = await t.http().get('/auth/sessions').set(bearer(res.body.accessToken)).expect(200);
    // Revoked from elsewhere (a bearer call, no cookie): the next refresh finds it ended.
    await t.http().delete(`/auth/sessions/${sessions.body[0].id}`).set(bearer(res.body.accessToken)).expect(204);
    const refused = await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({}).expect(401);
    expect(setCookies(refused).map((c) => c.split(';')[0])).toEqual([`${REFRESH}=`, `${CSRF}=`]);
  });

  it('writes an audit line for every CSRF refusal, without the cookie values', async () => {
    const { res, refresh, csrf, cookie, email } = await signIn();
    logger.lines.length = 0;
    await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', 'forged').send({}).expect(403);
    await t.http().post('/auth/logout').set(bearer(res.body.accessToken)).set('Cookie', cookie).expect(403);
    await t.http().post('/auth/login').set('Origin', 'https://evil.example').send({ email, password }).expect(403);
    const audit = logger.lines.filter((line) => line.endsWith(' | AuthAudit')).map((line) => JSON.parse(line.slice(line.indexOf('{'), line.lastIndexOf(' | '))));
    expect(audit).toEqual([
      expect.objectContaining({ event: 'csrf', outcome: 'refused', reason: 'csrf_check_failed', ip: expect.any(String) }),
      expect.objectContaining({ event: 'csrf', outcome: 'refused', reason: 'csrf_check_failed', userId: expect.anything() }),
      expect.objectContaining({ event: 'csrf', outcome: 'refused', reason: 'cross_site_request', ip: expect.any(String) }),
    ]);
    const logged = logger.lines.join('\n');
    for (const secret of [refresh, csrf, res.body.accessToken, email]) expect(logged).not.toContain(secret);
  });
});

describe('cookie mode with AUTH_COOKIE_SECURE=false (plain-http development)', () => {
  it('writes cookies without Secure, so without the __Host-/__Secure- prefixes, and still checks CSRF', async () => {
    const created = await testMatrix()[0].database.create();
    const app = await createTestApp(testConfig(created.url, { cookieMode: true, cookieSecure: false }));
    try {
      const http = () => request(app.getHttpServer());
      const email = `insecure-${Date.now()}@example.com`;
      await http().post('/auth/register').send({ email, password: 'cookie password' }).expect(201);
      const cookies = setCookies(await http().post('/auth/login').send({ email, password: 'cookie password' }).expect(200));
      expect(cookies.map((c) => c.split('=')[0])).toEqual(['refresh', 'csrf']);
      expect(cookies.join('\n')).not.toMatch(/Secure/);
      const cookie = `refresh=${cookieValue(cookies, 'refresh')}; csrf=${cookieValue(cookies, 'csrf')}`;
      await http().post('/auth/refresh').set('Cookie', cookie).send({}).expect(403);
      await http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', cookieValue(cookies, 'csrf')!).send({}).expect(200);
    } finally {
      await app.close();
      await created.drop();
    }
  });
});
