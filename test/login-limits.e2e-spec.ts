// Password guessing: the failed-attempt budget is taken before the hash is computed, keyed on the
// account found and the client, so concurrent guesses, email variants, change-password and a
// client elsewhere cannot get around it or lock the owner out.
import { DataSource } from 'typeorm';
import { testMatrix } from './support/databases';
import { requestFrom } from './support/from-address';
import { bearer, startApp, type TestApp } from './support/test-app';

const PASSWORD = 'correct horse battery';
const LIMIT = 10;
const PER_CLIENT_LIMIT = 30;

describe.each(testMatrix())('login limits on $label', ({ database, adapter }) => {
  let t: TestApp;
  let drop: () => Promise<void>;
  let lastClient = 1;
  /** A loopback address no other test of this suite has used: a fresh client. */
  const newClient = () => `127.0.0.${++lastClient}`;
  let counter = 0;
  const newEmail = (local = 'user') => `${local}-${Date.now()}-${counter++}@example.com`;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    t = await startApp(created.url, { httpAdapter: adapter, loginAttempts: { limit: LIMIT, perClientLimit: PER_CLIENT_LIMIT, windowMs: 15 * 60 * 1000 } });
    await t.app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  const register = async (email: string, password = PASSWORD) => {
    const res = await requestFrom(t.app, '127.0.0.1', 'POST', '/auth/register', { body: { email, password } });
    expect(res.status).toBe(201);
    return res.body as { id: number; email: string };
  };
  const loginFrom = (client: string, email: string, password: string) => requestFrom(t.app, client, 'POST', '/auth/login', { body: { email, password } });

  it('takes the attempt before hashing: of 40 concurrent wrong guesses at most the limit are checked', async () => {
    const email = newEmail();
    await register(email);
    const client = newClient();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => loginFrom(client, email, `wrong guess ${i}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LIMIT);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40 - LIMIT);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect((await loginFrom(client, email, PASSWORD)).status).toBe(429);
  });

  it('a client that used up an account\'s budget does not lock the owner out from elsewhere', async () => {
    const email = newEmail('victim');
    await register(email);
    const attacker = newClient();
    for (let i = 0; i < LIMIT; i++) expect((await loginFrom(attacker, email, `guess ${i}`)).status).toBe(401);
    const refused = await loginFrom(attacker, email, PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await loginFrom(newClient(), email, PASSWORD)).status).toBe(200);
  });

  it('a successful login gives the attempts back', async () => {
    const email = newEmail();
    await register(email);
    const client = newClient();
    for (let i = 0; i < LIMIT - 1; i++) expect((await loginFrom(client, email, `guess ${i}`)).status).toBe(401);
    expect((await loginFrom(client, email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < LIMIT - 1; i++) expect((await loginFrom(client, email, `again ${i}`)).status).toBe(401);
  });

  it('one client flooding logins for many accounts is stopped after its own budget, without slowing others', async () => {
    const flooder = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < PER_CLIENT_LIMIT + 5; i++) statuses.push((await loginFrom(flooder, newEmail('nobody'), 'junk password')).status);
    expect(statuses.slice(0, PER_CLIENT_LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(PER_CLIENT_LIMIT)).toEqual(Array(5).fill(429));
    const email = newEmail();
    await register(email);
    expect((await loginFrom(newClient(), email, PASSWORD)).status).toBe(200);
  });

  it('limits guesses of the current password on change-password like login', async () => {
    const email = newEmail();
    const { id } = await register(email);
    const client = newClient();
    const { accessToken } = (await loginFrom(client, email, PASSWORD)).body;
    const change = (currentPassword: string) =>
      requestFrom(t.app, client, 'POST', '/auth/change-password', { body: { currentPassword, newPassword: 'a brand new passphrase 9' }, headers: bearer(accessToken) });
    for (let i = 0; i < LIMIT; i++) expect((await change(`guess ${i}`)).status).toBe(401);
    const refused = await change(PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const rows = await t.app.get(DataSource).query('SELECT token_version AS v FROM users WHERE id = ' + Number(id));
    expect(Number(rows[0].v)).toBe(0);
  });

  it('another spelling of a locked account\'s email (decomposed accent, other case) is locked too', async () => {
    const local = `jos\u00e9-${Date.now()}-${counter++}`;
    const email = `${local}@example.com`;
    await register(email);
    const client = newClient();
    for (let i = 0; i < LIMIT; i++) expect((await loginFrom(client, email, `guess ${i}`)).status).toBe(401);
    const decomposed = `${local.normalize('NFD').toUpperCase()}@EXAMPLE.COM`;
    expect(decomposed).not.toBe(email);
    expect((await loginFrom(client, decomposed, PASSWORD)).status).toBe(429);
  });

  it('an accent- or case-insensitive database match never logs into another spelling\'s account', async () => {
    const suffix = `${Date.now()}-${counter++}@example.com`;
    await register(`jose-${suffix}`);
    const client = newClient();
    expect((await loginFrom(client, `jos\u00e9-${suffix}`, PASSWORD)).status).toBe(401);
    expect((await loginFrom(client, `jos\u00eb-${suffix}`, PASSWORD)).status).toBe(401);
    expect((await loginFrom(client, `jose-${suffix}`, PASSWORD)).status).toBe(200);
  });
});
