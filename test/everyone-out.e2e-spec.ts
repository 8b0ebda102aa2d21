// Issue 12 §4: logoutEveryone() refuses every token issued before it, durably (a restart keeps it).
import { DataSource } from 'typeorm';
import { testDatabases } from './support/databases';
import { bearer, registerAndLogin, startApp, type TestApp } from './support/test-app';

describe.each(testDatabases())('everyone out on $name', (database) => {
  let t: TestApp | undefined;
  let url: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await database.create();
    url = created.url;
    drop = created.drop;
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  const loginAs = async (app: TestApp, email: string) =>
    (await app.http().post('/auth/login').send({ email, password: 'correct horse battery' }).expect(200)).body as { accessToken: string; refreshToken: string };

  it('refuses every earlier token and session, also after a restart; later logins work', async () => {
    t = await startApp(url, { adminEmails: ['chief@example.com'] });
    await t.http().post('/auth/register').send({ email: 'chief@example.com', password: 'correct horse battery' }).expect(201);
    const chief = await loginAs(t, 'chief@example.com');
    const member = await registerAndLogin(t);
    await t.http().get('/me').set(bearer(member.accessToken)).expect(200);

    await t.http().post('/admin/logout-everyone').set(bearer(member.accessToken)).expect(403);
    await t.http().post('/admin/logout-everyone').set(bearer(chief.accessToken)).expect(204);

    for (const token of [member.accessToken, chief.accessToken]) {
      const res = await t.http().get('/me').set(bearer(token)).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    }
    await t.http().post('/auth/refresh').send({ refreshToken: member.refreshToken }).expect(401);
    const stored = await t.app.get(DataSource).query("SELECT value FROM jwt_revocation_state WHERE name = 'revoked_before'");
    expect(Number(stored[0].value)).toBeGreaterThan(Math.floor(Date.now() / 1000) - 60);

    const after = await loginAs(t, member.email);
    await t.http().get('/me').set(bearer(after.accessToken)).expect(200);

    // A restart reads the cutoff back: the old tokens stay refused, the new one keeps working.
    await t.close();
    t = await startApp(url, { adminEmails: ['chief@example.com'] });
    await t.http().get('/me').set(bearer(member.accessToken)).expect(401);
    await t.http().get('/me').set(bearer(chief.accessToken)).expect(401);
    await t.http().post('/auth/refresh').send({ refreshToken: chief.refreshToken }).expect(401);
    await t.http().get('/me').set(bearer(after.accessToken)).expect(200);
    await t.http().post('/auth/refresh').send({ refreshToken: after.refreshToken }).expect(200);
  });

  it('an app upgraded without the jwt_revocation_state migration keeps working; only logoutEveryone() fails, saying what to run', async () => {
    await t?.close();
    t = await startApp(url, { adminEmails: ['chief@example.com'] });
    await t.app.get(DataSource).query('DROP TABLE jwt_revocation_state');
    await t.close();
    t = await startApp(url, { adminEmails: ['chief@example.com'] });
    const chief = await loginAs(t, 'chief@example.com');
    await t.http().get('/me').set(bearer(chief.accessToken)).expect(200);
    await t.http().post('/auth/refresh').send({ refreshToken: chief.refreshToken }).expect(200);
    await t.http().post('/admin/logout-everyone').set(bearer(chief.accessToken)).expect(500);
  });
});
