import type { RevocationEvent } from 'nestjs-jwt-revocation';
import { testDatabases } from './support/databases';
import { bearer, registerAndLogin, startApp, type TestApp } from './support/test-app';

// One event per revocation that happened: requests racing to revoke the same thing fire it once.
describe.each(testDatabases().map((database) => ({ label: database.name, database })))('revocation events on $label', ({ database }) => {
  let t: TestApp;
  let drop: () => Promise<void>;
  const events: RevocationEvent[] = [];

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    t = await startApp(created.url, { revocationOptions: { onRevocation: (event) => void events.push(event) } });
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  beforeEach(() => {
    events.length = 0;
  });

  it('10 families, each rotated token replayed 10 times in parallel: exactly 10 reuse events', async () => {
    const replays: Array<Promise<unknown>> = [];
    const families: string[] = [];
    for (let i = 0; i < 10; i++) {
      const user = await registerAndLogin(t);
      await t.http().post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
      families.push(String(user.id));
      for (let j = 0; j < 10; j++) replays.push(t.http().post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401));
    }
    await Promise.all(replays);
    const reuse = events.filter((event) => event.type === 'refresh-reuse-detected');
    expect(reuse).toHaveLength(10);
    expect(new Set(reuse.map((event) => event.userId))).toEqual(new Set(families));
  });

  it('one session deleted by 10 parallel requests: one 204, nine 404, one event', async () => {
    const user = await registerAndLogin(t);
    const other = await t.http().post('/auth/login').send({ email: user.email, password: 'correct horse battery' }).expect(200);
    const sessions = (await t.http().get('/auth/sessions').set(bearer(user.accessToken)).expect(200)).body as Array<{ id: string; current: boolean }>;
    const target = sessions.find((s) => !s.current)!.id;
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () => t.http().delete(`/auth/sessions/${target}`).set(bearer(user.accessToken)).then((res) => res.status)),
    );
    expect(statuses.sort()).toEqual([204, ...Array(9).fill(404)]);
    expect(events.filter((event) => event.type === 'session-revoked')).toEqual([expect.objectContaining({ sessionIds: [target] })]);
    await t.http().get('/me').set(bearer(other.body.accessToken)).expect(401);
  });
});
