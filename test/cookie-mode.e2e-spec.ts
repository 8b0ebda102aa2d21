import request from 'supertest';
import { testMatrix } from './support/databases';
import { CapturingLogger } from './support/log-capture';
import { bearer, createTestApp, testConfig, type TestApp } from './support/test-app';

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

  async function signIn() {
    const email = `cookie-${Date.now()}-${Math.random()}@example.com`;
    await t.http().post('/auth/register').send({ email, password: 'cookie password' }).expect(201);
    const res = await t.http().post('/auth/login').send({ email, password: 'cookie password' }).expect(200);
    const cookies = setCookies(res);
    return { res, cookies, refresh: cookieValue(cookies, 'refresh_token')!, csrf: cookieValue(cookies, 'csrf_token')! };
  }

  it('puts the refresh token only in an HttpOnly, Secure, SameSite=Strict cookie scoped to /auth', async () => {
    const { res, cookies, refresh } = await signIn();
    expect(res.body.refreshToken).toBeUndefined();
    expect(res.body.accessToken).toEqual(expect.any(String));
    const refreshCookie = cookies.find((c) => c.startsWith('refresh_token='))!;
    expect(refreshCookie).toMatch(/HttpOnly/i);
    expect(refreshCookie).toMatch(/Secure/i);
    expect(refreshCookie).toMatch(/SameSite=Strict/i);
    expect(refreshCookie).toMatch(/Path=\/auth/);
    expect(refresh).toMatch(/^rt\./);
  });

  it('refreshes from the cookie with the CSRF header, and refuses without or with a wrong one', async () => {
    const { refresh, csrf } = await signIn();
    const cookie = `refresh_token=${refresh}; csrf_token=${csrf}`;
    await t.http().post('/auth/refresh').set('Cookie', cookie).send({}).expect(403);
    await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', 'forged').send({}).expect(403);
    const res = await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({}).expect(200);
    const rotated = cookieValue(setCookies(res), 'refresh_token');
    expect(rotated).toMatch(/^rt\./);
    expect(rotated).not.toBe(refresh);
    await t.http().get('/me').set(bearer(res.body.accessToken)).expect(200);
  });

  it('needs the CSRF header to log out, and clears the cookie when it does', async () => {
    const { res, refresh, csrf } = await signIn();
    const cookie = `refresh_token=${refresh}; csrf_token=${csrf}`;
    await t.http().post('/auth/logout').set(bearer(res.body.accessToken)).set('Cookie', cookie).expect(403);
    await t.http().get('/me').set(bearer(res.body.accessToken)).expect(200);
    const out = await t.http().post('/auth/logout').set(bearer(res.body.accessToken)).set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    expect(setCookies(out).find((c) => c.startsWith('refresh_token='))).toMatch(/Max-Age=0/);
    await t.http().get('/me').set(bearer(res.body.accessToken)).expect(401);
    await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({}).expect(401);
  });

  it('writes an audit line for every CSRF refusal, without the cookie values', async () => {
    const { res, refresh, csrf } = await signIn();
    const cookie = `refresh_token=${refresh}; csrf_token=${csrf}`;
    logger.lines.length = 0;
    await t.http().post('/auth/refresh').set('Cookie', cookie).set('X-CSRF-Token', 'forged').send({}).expect(403);
    await t.http().post('/auth/logout').set(bearer(res.body.accessToken)).set('Cookie', cookie).expect(403);
    const audit = logger.lines.filter((line) => line.endsWith(' | AuthAudit')).map((line) => JSON.parse(line.slice(line.indexOf('{'), line.lastIndexOf(' | '))));
    expect(audit).toEqual([
      expect.objectContaining({ event: 'csrf', outcome: 'refused', reason: 'csrf_check_failed', ip: expect.any(String) }),
      expect.objectContaining({ event: 'csrf', outcome: 'refused', reason: 'csrf_check_failed', userId: expect.anything() }),
    ]);
    const logged = logger.lines.join('\n');
    for (const secret of [refresh, csrf, res.body.accessToken]) expect(logged).not.toContain(secret);
  });
});
