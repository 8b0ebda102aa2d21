import { DataSource } from 'typeorm';
import { AuthTokenService } from 'nestjs-jwt-revocation';
import { testMatrix } from './support/databases';
import { bearer, login, registerAndLogin, startApp, type TestApp } from './support/test-app';

const DAY = 24 * 3600 * 1000;

/** Runs `body` with the process clock moved forward by `offsetMs`. */
async function later<T>(offsetMs: number, body: () => Promise<T>): Promise<T> {
  const realNow = Date.now.bind(Date);
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
  try {
    return await body();
  } finally {
    spy.mockRestore();
  }
}

describe.each(testMatrix())('refresh sessions on $label', ({ database, adapter }) => {
  let t: TestApp;
  let url: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await database.create();
    url = created.url;
    drop = created.drop;
    t = await startApp(url, { httpAdapter: adapter });
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  const refresh = (app: TestApp, refreshToken: unknown) => app.http().post('/auth/refresh').send({ refreshToken });
  const sessionCount = async (app: TestApp, where = '1=1'): Promise<number> =>
    Number((await app.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM jwt_sessions WHERE ${where}`))[0].n);

  describe('refresh', () => {
    it('rotates: a new pair that works, and the old refresh token is spent', async () => {
      const user = await registerAndLogin(t);
      const res = await refresh(t, user.refreshToken).expect(200);
      expect(res.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
      expect(res.body.refreshToken).not.toBe(user.refreshToken);
      await t.http().get('/me').set(bearer(res.body.accessToken)).expect(200);
      await refresh(t, res.body.refreshToken).expect(200);
    });

    it('refuses the refresh token of a user whose version was raised by plain SQL, and ends that session', async () => {
      const user = await registerAndLogin(t);
      // No library call: an admin tool or a migration raising the version straight in the database.
      await t.app.get(DataSource).query(`UPDATE users SET token_version = token_version + 1 WHERE id = ${Number(user.id)}`);
      const res = await refresh(t, user.refreshToken).expect(401);
      expect(res.body).toMatchObject({ error: 'invalid_grant' });
      expect(await sessionCount(t, `user_id = '${Number(user.id)}' AND revoked_at IS NULL`)).toBe(0);
      expect(await sessionCount(t, `user_id = '${Number(user.id)}' AND revoke_reason = 'version-changed'`)).toBe(1);
      await refresh(t, user.refreshToken).expect(401);
      // Signing in again binds a new session to the raised version.
      const again = await login(t, user.email).expect(200);
      await refresh(t, again.body.refreshToken).expect(200);
    });

    it('answers 400 without a refresh token and 401 for a made-up one', async () => {
      await t.http().post('/auth/refresh').send({}).expect(400);
      await refresh(t, 'not-a-token').expect(401);
      await refresh(t, 'rt.00000000-0000-4000-8000-000000000000.0.AAAA.BBBB').expect(401);
    });

    it('refuses an access token as a refresh token and a refresh token as an access token', async () => {
      const user = await registerAndLogin(t);
      await refresh(t, user.accessToken).expect(401);
      const res = await t.http().get('/me').set(bearer(user.refreshToken)).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('on reuse of a rotated token revokes the whole family, access tokens included', async () => {
      const user = await registerAndLogin(t);
      const first = await refresh(t, user.refreshToken).expect(200);
      const second = await refresh(t, first.body.refreshToken).expect(200);
      const other = (await login(t, user.email).expect(200)).body;
      // An attacker replays the first, long-rotated token.
      await refresh(t, user.refreshToken).expect(401);
      await refresh(t, second.body.refreshToken).expect(401);
      await t.http().get('/me').set(bearer(second.body.accessToken)).expect(401);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(401);
      // The user's other session is another family and keeps working.
      await t.http().get('/me').set(bearer(other.accessToken)).expect(200);
      await refresh(t, other.refreshToken).expect(200);
    });

    it('of 20 parallel refreshes of one token exactly one rotates, none fails with 5xx', async () => {
      const user = await registerAndLogin(t);
      const results = await Promise.all(Array.from({ length: 20 }, () => refresh(t, user.refreshToken)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s >= 500)).toHaveLength(0);
      expect(statuses.every((s) => s === 200 || s === 401)).toBe(true);
      const rows = await t.app.get(DataSource).query(`SELECT generation FROM jwt_sessions WHERE user_id = '${user.id}'`);
      expect(rows.map((r: { generation: number }) => Number(r.generation))).toEqual([1]);
    });

    it('ends a session unused for longer than the idle lifetime', async () => {
      const user = await registerAndLogin(t);
      await later(8 * DAY, () => refresh(t, user.refreshToken).expect(401));
    });

    it('ends a session at its absolute lifetime even when used often', async () => {
      const user = await registerAndLogin(t);
      let token = user.refreshToken;
      for (const day of [6, 12, 18, 24]) {
        token = (await later(day * DAY, () => refresh(t, token).expect(200))).body.refreshToken;
      }
      await later(31 * DAY, () => refresh(t, token).expect(401));
    });
  });

  describe('single-device logout', () => {
    it('ends this session only: its access and refresh tokens stop, the other device keeps working', async () => {
      const user = await registerAndLogin(t);
      const phone = (await login(t, user.email).expect(200)).body;
      await t.http().post('/auth/logout').set(bearer(user.accessToken)).expect(204);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(401);
      await refresh(t, user.refreshToken).expect(401);
      await t.http().get('/me').set(bearer(phone.accessToken)).expect(200);
      await refresh(t, phone.refreshToken).expect(200);
    });

    it('logout-all also stops every refresh token', async () => {
      const user = await registerAndLogin(t);
      const phone = (await login(t, user.email).expect(200)).body;
      await t.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
      await refresh(t, user.refreshToken).expect(401);
      await refresh(t, phone.refreshToken).expect(401);
      await t.http().get('/me').set(bearer(phone.accessToken)).expect(401);
    });
  });

  describe('session list', () => {
    it('lists live sessions with the current one marked, and ends one at once', async () => {
      const user = await registerAndLogin(t);
      const laptop = (await t.http().post('/auth/login').set('User-Agent', 'laptop-browser').send({ email: user.email, password: 'correct horse battery' }).expect(200)).body;
      const list = (await t.http().get('/auth/sessions').set(bearer(user.accessToken)).expect(200)).body;
      expect(list).toHaveLength(2);
      expect(list.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
      const laptopSession = list.find((s: { userAgent: string }) => s.userAgent === 'laptop-browser');
      expect(laptopSession).toEqual({ id: expect.any(String), createdAt: expect.any(String), lastUsedAt: expect.any(String), userAgent: 'laptop-browser', ip: expect.any(String), current: false });
      expect(JSON.stringify(list)).not.toMatch(/hash|refresh/i);

      await t.http().delete(`/auth/sessions/${laptopSession.id}`).set(bearer(user.accessToken)).expect(204);
      await t.http().get('/me').set(bearer(laptop.accessToken)).expect(401);
      await refresh(t, laptop.refreshToken).expect(401);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
      expect((await t.http().get('/auth/sessions').set(bearer(user.accessToken)).expect(200)).body).toHaveLength(1);
    });

    it("answers 404 for another user's session and leaves it untouched; 400 for a malformed id", async () => {
      const alice = await registerAndLogin(t);
      const bob = await registerAndLogin(t);
      const bobSession = (await t.http().get('/auth/sessions').set(bearer(bob.accessToken)).expect(200)).body[0];
      await t.http().delete(`/auth/sessions/${bobSession.id}`).set(bearer(alice.accessToken)).expect(404);
      await t.http().get('/me').set(bearer(bob.accessToken)).expect(200);
      await t.http().delete('/auth/sessions/not-a-uuid').set(bearer(alice.accessToken)).expect(400);
      await t.http().delete("/auth/sessions/1'%20OR%20'1'='1").set(bearer(alice.accessToken)).expect(400);
    });

    it('change-password ends the other sessions and keeps this device with a new pair', async () => {
      const user = await registerAndLogin(t);
      const phone = (await login(t, user.email).expect(200)).body;
      const res = await t
        .http()
        .post('/auth/change-password')
        .set(bearer(user.accessToken))
        .send({ currentPassword: 'correct horse battery', newPassword: 'another long one' })
        .expect(200);
      await t.http().get('/me').set(bearer(res.body.accessToken)).expect(200);
      await refresh(t, res.body.refreshToken).expect(200);
      await refresh(t, phone.refreshToken).expect(401);
      await t.http().get('/me').set(bearer(phone.accessToken)).expect(401);
    });
  });

  it('purges ended sessions once their access tokens can no longer be valid', async () => {
    const before = await sessionCount(t);
    const users = await Promise.all(Array.from({ length: 5 }, () => registerAndLogin(t)));
    for (const user of users) {
      for (let i = 0; i < 3; i++) {
        const extra = (await login(t, user.email).expect(200)).body;
        await t.http().post('/auth/logout').set(bearer(extra.accessToken)).expect(204);
      }
    }
    const live = users.length; // one live session per user
    expect(await sessionCount(t)).toBe(before + live + users.length * 3);
    const tokens = t.app.get(AuthTokenService);
    // Right after logout the rows must stay: their access tokens could still be presented.
    await tokens.purgeSessions();
    expect(await sessionCount(t, `revoked_at IS NOT NULL AND user_id IN (${users.map((u) => `'${u.id}'`).join(',')})`)).toBe(users.length * 3);
    await later(16 * 60 * 1000, () => tokens.purgeSessions());
    expect(await sessionCount(t, 'revoked_at IS NOT NULL')).toBe(0);
    for (const user of users) await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
  });

  it('keeps revocations across a restart', async () => {
    const user = await registerAndLogin(t);
    const phone = (await login(t, user.email).expect(200)).body;
    await t.http().post('/auth/logout').set(bearer(phone.accessToken)).expect(204);
    await t.close();
    t = await startApp(url, { httpAdapter: adapter });
    await t.http().get('/me').set(bearer(phone.accessToken)).expect(401);
    await refresh(t, phone.refreshToken).expect(401);
    await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
  });

  describe('failed-login throttling', () => {
    it('answers 429 with Retry-After after 10 failures for one account, never blocking another', async () => {
      const victim = await registerAndLogin(t);
      const bystander = await registerAndLogin(t);
      for (let i = 0; i < 10; i++) await login(t, victim.email, 'wrong password').expect(401);
      const blocked = await login(t, victim.email, 'wrong password').expect(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      await login(t, victim.email).expect(429);
      await login(t, bystander.email).expect(200);
      await later(15 * 60 * 1000 + 1000, () => login(t, victim.email).expect(200));
    });

    it('does not count successful logins', async () => {
      const user = await registerAndLogin(t);
      for (let i = 0; i < 9; i++) await login(t, user.email, 'wrong password').expect(401);
      for (let i = 0; i < 5; i++) await login(t, user.email).expect(200);
    });
  });
});

describe.each(testMatrix())('refresh grace window on $label', ({ database, adapter }) => {
  let t: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    t = await startApp(created.url, { httpAdapter: adapter, refreshReuseGraceMs: 5000 });
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  it('gives concurrent duplicates the same successor pair instead of revoking', async () => {
    const user = await registerAndLogin(t);
    const results = await Promise.all(Array.from({ length: 10 }, () => t.http().post('/auth/refresh').send({ refreshToken: user.refreshToken })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.refreshToken)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.accessToken)).size).toBe(1);
    await t.http().get('/me').set(bearer(results[0].body.accessToken)).expect(200);
    await t.http().post('/auth/refresh').send({ refreshToken: results[0].body.refreshToken }).expect(200);
  });

  it('treats a replay after the window as reuse', async () => {
    const user = await registerAndLogin(t);
    const next = await t.http().post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    await later(6000, () => t.http().post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401));
    await t.http().post('/auth/refresh').send({ refreshToken: next.body.refreshToken }).expect(401);
  });
});
