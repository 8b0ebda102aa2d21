// How the demo keeps passwords: argon2id at OWASP's parameters, older hashes upgraded at the next
// successful login, and common or guessable passwords refused at register and change-password.
import { hash as argon2Hash } from '@node-rs/argon2';
import { randomBytes, scryptSync } from 'node:crypto';
import { DataSource } from 'typeorm';
import { testMatrix } from './support/databases';
import { bearer, login, registerAndLogin, startApp, type TestApp } from './support/test-app';

const CURRENT_PARAMETERS = '$argon2id$v=19$m=19456,t=2,p=1$';
const PASSWORD = 'correct horse battery';

/** A hash as the demo wrote it before argon2id: scrypt N=2^14, r=8, p=1, 32-byte key. */
function legacyScryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

describe.each(testMatrix())('passwords on $label', ({ database, adapter }) => {
  let t: TestApp;
  let drop: () => Promise<void>;
  let counter = 0;
  const newEmail = () => `pw-${Date.now()}-${counter++}@example.com`;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    t = await startApp(created.url, { httpAdapter: adapter });
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  const storedHash = async (id: number): Promise<string> =>
    (await t.app.get(DataSource).query('SELECT password_hash AS h FROM users WHERE id = ' + Number(id)))[0].h;
  const setStoredHash = (id: number, hash: string) =>
    t.app.get(DataSource).query(`UPDATE users SET password_hash = '${hash.replace(/'/g, "''")}' WHERE id = ${Number(id)}`);

  it('stores argon2id at 19 MiB, 2 passes, 1 lane', async () => {
    const user = await registerAndLogin(t, PASSWORD);
    expect((await storedHash(user.id)).startsWith(CURRENT_PARAMETERS)).toBe(true);
  });

  it('upgrades an old scrypt hash to argon2id at the next successful login, and only then', async () => {
    const user = await registerAndLogin(t, PASSWORD);
    const legacy = legacyScryptHash(PASSWORD);
    await setStoredHash(user.id, legacy);
    await login(t, user.email, 'not the password').expect(401);
    expect(await storedHash(user.id)).toBe(legacy);
    await login(t, user.email, PASSWORD).expect(200);
    const upgraded = await storedHash(user.id);
    expect(upgraded.startsWith(CURRENT_PARAMETERS)).toBe(true);
    await login(t, user.email, PASSWORD).expect(200);
    expect(await storedHash(user.id)).toBe(upgraded);
  });

  it('rehashes an argon2id hash made with weaker parameters', async () => {
    const user = await registerAndLogin(t, PASSWORD);
    await setStoredHash(user.id, await argon2Hash(PASSWORD, { memoryCost: 4096, timeCost: 1, parallelism: 1 }));
    await login(t, user.email, PASSWORD).expect(200);
    expect((await storedHash(user.id)).startsWith(CURRENT_PARAMETERS)).toBe(true);
  });

  it.each(['password', '12345678', 'Password1!', 'qwertyuiop', 'iloveyou123', 'sunshine2024', 'abcdefgh', 'trustno1trustno1'])(
    'refuses the common or guessable password %j at register, saying why',
    async (password) => {
      const email = newEmail();
      const res = await t.http().post('/auth/register').send({ email, password }).expect(400);
      expect(JSON.stringify(res.body.message)).toContain('password is too easy to guess');
      await login(t, email, password).expect(401);
    },
  );

  it('refuses the email itself as the password', async () => {
    const email = newEmail();
    await t.http().post('/auth/register').send({ email, password: email }).expect(400);
  });

  it('refuses a common new password at change-password and keeps the old one', async () => {
    const user = await registerAndLogin(t, PASSWORD);
    const res = await t
      .http()
      .post('/auth/change-password')
      .set(bearer(user.accessToken))
      .send({ currentPassword: PASSWORD, newPassword: 'letmein123' })
      .expect(400);
    expect(JSON.stringify(res.body.message)).toContain('newPassword is too easy to guess');
    await login(t, user.email, PASSWORD).expect(200);
  });

  it('accepts a passphrase of unrelated words', async () => {
    await t.http().post('/auth/register').send({ email: newEmail(), password: 'orbit lantern pickle ninety' }).expect(201);
  });
});
