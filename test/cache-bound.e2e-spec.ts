import { AuthTokenService } from 'nestjs-jwt-revocation';
import { testDatabases } from './support/databases';
import { bearer, registerAndLogin, startApp, type TestApp } from './support/test-app';

describe('in-process cache bound', () => {
  let t: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await testDatabases()[0].create(); // sqlite: the bound is the library's, not the database's
    drop = created.drop;
    t = await startApp(created.url, { revocationOptions: { cache: { maxEntries: 20, ttlMs: 60_000 } } });
  });

  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  it('never holds more entries than configured, however many users are active', async () => {
    const tokens = t.app.get(AuthTokenService);
    const users = [];
    for (let i = 0; i < 60; i++) users.push(await registerAndLogin(t));
    for (const user of users) {
      await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
      expect(tokens.metrics().cacheSize).toBeLessThanOrEqual(20);
    }
    expect(tokens.metrics().cacheSize).toBe(20);
    // The most recent users are served from the cache; evicted ones are read again, still correct.
    const before = tokens.metrics();
    await t.http().get('/me').set(bearer(users[59].accessToken)).expect(200);
    expect(tokens.metrics().cacheHits).toBe(before.cacheHits + 2);
    await t.http().get('/me').set(bearer(users[0].accessToken)).expect(200);
    expect(tokens.metrics().storeReads).toBeGreaterThan(before.storeReads);
  });
});
