import { DataSource } from 'typeorm';
import { AuthTokenService } from 'nestjs-jwt-revocation';
import { testMatrix } from './support/databases';
import { bearer, login, registerAndLogin, startApp, type TestApp } from './support/test-app';

describe.each(testMatrix())('access and logout on $label', ({ database, adapter }) => {
  let t: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    t = await startApp(created.url, { httpAdapter: adapter });
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  const versionOf = async (id: number): Promise<number> => {
    const rows = await t.app.get(DataSource).query('SELECT token_version AS v FROM users WHERE id = ' + Number(id));
    return Number(rows[0].v);
  };

  it('serves its OpenAPI document with the bearer scheme on protected routes only', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.paths['/auth/change-password'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/auth/change-password'].post.responses['401']).toBeDefined();
    expect(doc.paths['/auth/login'].post.security).toBeUndefined();
  });

  it('GET /health is public', async () => {
    await t.http().get('/health').expect(200, { status: 'ok' });
  });

  describe('register', () => {
    it('creates a user and answers 201 {id, email}', async () => {
      const res = await t.http().post('/auth/register').send({ email: 'New.User@Example.com', password: 'long enough' }).expect(201);
      expect(res.body).toEqual({ id: expect.any(Number), email: 'new.user@example.com' });
    });

    it('answers 409 on a duplicate email, whatever its case', async () => {
      await t.http().post('/auth/register').send({ email: 'dup@example.com', password: 'long enough' }).expect(201);
      await t.http().post('/auth/register').send({ email: 'DUP@example.com', password: 'long enough' }).expect(409);
    });

    it('answers 400 with field messages for an invalid email or a short password', async () => {
      const badEmail = await t.http().post('/auth/register').send({ email: 'not-an-email', password: 'long enough' }).expect(400);
      expect(JSON.stringify(badEmail.body.message)).toContain('email');
      const shortPassword = await t.http().post('/auth/register').send({ email: 'short@example.com', password: 'short' }).expect(400);
      expect(JSON.stringify(shortPassword.body.message)).toContain('password must be at least 8 characters');
    });

    it('answers 400, not 500, on malformed JSON', async () => {
      const res = await t.http().post('/auth/register').set('Content-Type', 'application/json').send('{"email": ').expect(400);
      expect(res.body.statusCode).toBe(400);
    });
  });

  describe('login', () => {
    it('returns a bearer pair with the lifetime', async () => {
      const user = await registerAndLogin(t);
      const res = await login(t, user.email).expect(200);
      expect(res.body).toEqual({
        accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        refreshToken: expect.any(String),
        // What is left of the session's 30 days, the Max-Age a refresh cookie would get.
        refreshExpiresIn: 30 * 24 * 3600,
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      const payload = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString());
      expect(payload).toEqual(
        expect.objectContaining({ sub: String(user.id), ver: 0, jti: expect.any(String), iat: expect.any(Number), exp: payload.iat + 900 }),
      );
    });

    it('answers an unknown email and a wrong password with the same 401 body', async () => {
      const user = await registerAndLogin(t);
      const wrong = await login(t, user.email, 'wrong password!').expect(401);
      const unknown = await login(t, 'nobody@example.com', 'wrong password!').expect(401);
      expect(wrong.body).toEqual(unknown.body);
    });
  });

  describe('GET /me', () => {
    it('returns {id, email, roles} and never a hash', async () => {
      const user = await registerAndLogin(t);
      const res = await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
      expect(res.body).toEqual({ id: user.id, email: user.email, roles: ['user'] });
      expect(JSON.stringify(res.body)).not.toMatch(/scrypt|hash|password/i);
    });

    it('answers 401 with a bare Bearer challenge without a token', async () => {
      const res = await t.http().get('/me').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('answers 401 invalid_token for a garbage or tampered token', async () => {
      const user = await registerAndLogin(t);
      const garbage = await t.http().get('/me').set(bearer('abc.def.ghi')).expect(401);
      expect(garbage.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      const [h, p, s] = user.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url')}.${s}`;
      const res = await t.http().get('/me').set(bearer(forged)).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });
  });

  describe('logout-all', () => {
    it('makes every earlier token of the user answer 401 on the next request, others untouched', async () => {
      const user = await registerAndLogin(t);
      const second = (await login(t, user.email).expect(200)).body.accessToken;
      const other = await registerAndLogin(t);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
      await t.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
      for (const token of [user.accessToken, second]) {
        const res = await t.http().get('/me').set(bearer(token)).expect(401);
        expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      }
      await t.http().get('/me').set(bearer(other.accessToken)).expect(200);
      const fresh = (await login(t, user.email).expect(200)).body.accessToken;
      await t.http().get('/me').set(bearer(fresh)).expect(200);
    });

    it('raises the version atomically: 50 concurrent calls raise it by exactly 50', async () => {
      const user = await registerAndLogin(t);
      const before = await versionOf(user.id);
      const tokens = t.app.get(AuthTokenService);
      await Promise.all(Array.from({ length: 50 }, () => tokens.logoutAll(user.id)));
      expect(await versionOf(user.id)).toBe(before + 50);
    });
  });

  describe('change-password', () => {
    it('returns a new pair that works, and every older token answers 401', async () => {
      const user = await registerAndLogin(t, 'old password 1');
      const otherDevice = (await login(t, user.email, 'old password 1').expect(200)).body.accessToken;
      const res = await t
        .http()
        .post('/auth/change-password')
        .set(bearer(user.accessToken))
        .send({ currentPassword: 'old password 1', newPassword: 'new password 2' })
        .expect(200);
      expect(res.body.tokenType).toBe('Bearer');
      await t.http().get('/me').set(bearer(res.body.accessToken)).expect(200);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(401);
      await t.http().get('/me').set(bearer(otherDevice)).expect(401);
      await login(t, user.email, 'old password 1').expect(401);
      await login(t, user.email, 'new password 2').expect(200);
    });

    it('refuses a wrong current password and changes nothing', async () => {
      const user = await registerAndLogin(t, 'old password 1');
      const before = await versionOf(user.id);
      await t
        .http()
        .post('/auth/change-password')
        .set(bearer(user.accessToken))
        .send({ currentPassword: 'not my password', newPassword: 'new password 2' })
        .expect(401);
      expect(await versionOf(user.id)).toBe(before);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
      await login(t, user.email, 'old password 1').expect(200);
    });

    it('answers 400 for a too short new password', async () => {
      const user = await registerAndLogin(t, 'old password 1');
      await t.http().post('/auth/change-password').set(bearer(user.accessToken)).send({ currentPassword: 'old password 1', newPassword: 'x' }).expect(400);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
    });
  });

  it('refuses the token of a deleted user', async () => {
    const user = await registerAndLogin(t);
    await t.app.get(DataSource).query('DELETE FROM jwt_sessions WHERE user_id = ' + `'${user.id}'`);
    await t.app.get(DataSource).query('DELETE FROM users WHERE id = ' + Number(user.id));
    // A strict route reads the source of truth; plain routes see it once the cache entry expires.
    await t.http().post('/auth/change-password').set(bearer(user.accessToken)).send({ currentPassword: 'x', newPassword: 'yyyyyyyy' }).expect(401);
  });
});
