// Issue 12 §2: roles travel in the access token and authorize without a database query.
import { DataSource } from 'typeorm';
import { testMatrix } from './support/databases';
import { bearer, registerAndLogin, startApp, type LoggedIn, type TestApp } from './support/test-app';

describe.each(testMatrix())('roles in the token on $label', ({ database, adapter }) => {
  let t: TestApp;
  let drop: () => Promise<void>;
  let admin: LoggedIn;
  let member: LoggedIn;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    t = await startApp(created.url, { httpAdapter: adapter, adminEmails: ['boss@example.com'] });
    await t.http().post('/auth/register').send({ email: 'Boss@Example.com', password: 'correct horse battery' }).expect(201);
    const login = await t.http().post('/auth/login').send({ email: 'boss@example.com', password: 'correct horse battery' }).expect(200);
    admin = { id: 0, email: 'boss@example.com', accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
    member = await registerAndLogin(t);
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  /** SQL statements TypeORM sends while `action` runs (TypeORM logs every query through logQuery). */
  async function queriesDuring(action: () => Promise<unknown>): Promise<number> {
    const spy = jest.spyOn(t.app.get(DataSource).logger, 'logQuery');
    try {
      await action();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }

  it('GET /me answers the roles the token carries: ["admin"] for an ADMIN_EMAILS address, ["user"] otherwise', async () => {
    expect((await t.http().get('/me').set(bearer(admin.accessToken)).expect(200)).body).toMatchObject({ email: 'boss@example.com', roles: ['admin'] });
    expect((await t.http().get('/me').set(bearer(member.accessToken)).expect(200)).body).toMatchObject({ email: member.email, roles: ['user'] });
  });

  it('GET /admin/users answers 403 to a non-admin, decided from the token without a database query', async () => {
    await t.http().get('/me').set(bearer(member.accessToken)).expect(200); // the revocation state is now cached
    let status = 0;
    const queries = await queriesDuring(async () => {
      status = (await t.http().get('/admin/users').set(bearer(member.accessToken))).status;
    });
    expect(status).toBe(403);
    expect(queries).toBe(0);
  });

  it('GET /admin/users lists id, email and roles of every user to an admin', async () => {
    const res = await t.http().get('/admin/users').set(bearer(admin.accessToken)).expect(200);
    expect(res.body).toEqual(
      expect.arrayContaining([
        { id: expect.any(Number), email: 'boss@example.com', roles: ['admin'] },
        { id: member.id, email: member.email, roles: ['user'] },
      ]),
    );
  });

  it('a role change reaches the next access token at refresh, without a logout', async () => {
    const someone = await registerAndLogin(t);
    await t.app.get(DataSource).query(`UPDATE users SET roles = '["admin"]' WHERE id = ${Number(someone.id)}`);
    await t.http().get('/admin/users').set(bearer(someone.accessToken)).expect(403); // the token still says "user"
    const refreshed = await t.http().post('/auth/refresh').send({ refreshToken: someone.refreshToken }).expect(200);
    await t.http().get('/admin/users').set(bearer(refreshed.body.accessToken)).expect(200);
    expect((await t.http().get('/me').set(bearer(refreshed.body.accessToken)).expect(200)).body.roles).toEqual(['admin']);
  });

  it('a revoked admin token is refused (401) before the roles guard runs', async () => {
    const boss = await t.http().post('/auth/login').send({ email: 'boss@example.com', password: 'correct horse battery' }).expect(200);
    await t.http().post('/auth/logout').set(bearer(boss.body.accessToken)).send({}).expect(204);
    await t.http().get('/admin/users').set(bearer(boss.body.accessToken)).expect(401);
  });
});
