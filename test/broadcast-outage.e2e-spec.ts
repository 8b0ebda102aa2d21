import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { RedisRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import { testDatabases, testRedisUrl } from './support/databases';
import { CapturingLogger } from './support/log-capture';
import { TcpProxy } from './support/tcp-proxy';
import { bearer, createTestApp, testConfig, type TestApp } from './support/test-app';

const redisUrl = testRedisUrl();
const describeWithRedis = redisUrl ? describe : describe.skip;
if (!redisUrl) console.warn('broadcast-outage suite skipped: set TEST_REDIS_URL (CI=true requires it)');

const BROADCAST_TIMEOUT_MS = 600;
const PASSWORD = 'correct horse battery';

// Redis is only the messenger: the revocation is durable in the database first. When the message
// cannot be sent the call still succeeds, says "stored, not broadcast", and never blames the store.
describeWithRedis('revocations while Redis is unreachable (single instance, SQLite)', () => {
  let proxy: TcpProxy;
  let drop: () => Promise<void>;
  let databaseUrl: string;

  beforeAll(async () => {
    const created = await testDatabases()[0].create();
    databaseUrl = created.url;
    drop = created.drop;
    const redis = new URL(redisUrl!);
    proxy = await new TcpProxy(redis.hostname, Number(redis.port || 6379)).start();
  });

  afterAll(async () => {
    await proxy?.stop();
    await drop?.();
  });

  async function start(): Promise<TestApp & { logs: CapturingLogger }> {
    const logs = new CapturingLogger();
    const broadcaster = new RedisRevocationBroadcaster({
      connection: { host: '127.0.0.1', port: proxy.port, maxRetriesPerRequest: 1, connectTimeout: 1000 },
      channel: `jwt-revocation:outage-test:${randomBytes(6).toString('hex')}`,
    });
    const app = await createTestApp(testConfig(databaseUrl, { revocationOptions: { broadcaster, broadcastTimeoutMs: BROADCAST_TIMEOUT_MS } }), logs);
    return { app, logs, http: () => request(app.getHttpServer()), close: () => app.close() };
  }

  async function signUp(t: TestApp): Promise<{ email: string; accessToken: string }> {
    const email = `outage-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`;
    await t.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
    const res = await t.http().post('/auth/login').send({ email, password: PASSWORD }).expect(200);
    return { email, accessToken: res.body.accessToken };
  }

  const blamesTheStore = (lines: string[]) => lines.some((line) => /store unavailable/i.test(line));

  it('warns at startup when the broadcaster cannot connect, and a logout-all then answers 204, stored, not broadcast', async () => {
    proxy.cut();
    const t = await start();
    try {
      expect(t.logs.lines.some((line) => line.startsWith('warn:') && /broadcaster is not connected/i.test(line))).toBe(true);
      const user = await signUp(t);
      const started = Date.now();
      await t.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
      expect(Date.now() - started).toBeLessThan(BROADCAST_TIMEOUT_MS + 1500);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(401);
      expect(t.logs.lines.some((line) => /stored, not broadcast/i.test(line))).toBe(true);
      expect(blamesTheStore(t.logs.lines)).toBe(false);
    } finally {
      proxy.restore();
      await t.close();
    }
  });

  it('with Redis frozen, change-password answers 200 with a working pair within the publish bound, and can be done again', async () => {
    const t = await start();
    try {
      const user = await signUp(t);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
      proxy.freeze();
      const started = Date.now();
      const changed = await t
        .http()
        .post('/auth/change-password')
        .set(bearer(user.accessToken))
        .send({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase 1' })
        .expect(200);
      expect(Date.now() - started).toBeLessThan(BROADCAST_TIMEOUT_MS + 1500);
      expect(changed.body.accessToken).toEqual(expect.any(String));
      await t.http().get('/me').set(bearer(changed.body.accessToken)).expect(200);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(401);
      expect(t.logs.lines.some((line) => line.startsWith('warn:') && /stored, not broadcast/i.test(line))).toBe(true);
      expect(blamesTheStore(t.logs.lines)).toBe(false);
      // The client that got the answer goes on with what it was given: no 401 for it.
      await t
        .http()
        .post('/auth/change-password')
        .set(bearer(changed.body.accessToken))
        .send({ currentPassword: 'a brand new passphrase 1', newPassword: 'a brand new passphrase 2' })
        .expect(200);
    } finally {
      proxy.restore();
      await t.close();
    }
  });
});
