import { AuthTokenService } from 'nestjs-jwt-revocation';
import { RedisRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import type { HttpAdapterName } from './support/databases';
import { postgresDatabase, testRedisUrl } from './support/databases';
import { connectSocket, within, type LiveSocketClient } from './support/live-clients';
import { bearer, login, registerAndLogin, startApp, type LoggedIn, type TestApp } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';

const redisUrl = testRedisUrl();
const postgres = postgresDatabase();
const describeWithServices = redisUrl && postgres ? describe : describe.skip;
if (!redisUrl || !postgres) console.warn('live multi-instance suite skipped: set TEST_POSTGRES_URL and TEST_REDIS_URL (CI=true requires them)');

/** Generous bound for the test; the benchmark reports the real figure (milliseconds). */
const CLOSE_BOUND_MS = 3000;

const adapters: HttpAdapterName[] = ['express', 'fastify'];

describeWithServices.each(adapters)('the demo gateway on two instances sharing PostgreSQL and Redis, over %s', (httpAdapter) => {
  let a: TestApp;
  let b: TestApp;
  let urlB: string;
  let drop: () => Promise<void>;
  let redisProxy: TcpProxy;
  const open: LiveSocketClient[] = [];

  beforeAll(async () => {
    const created = await postgres!.create();
    drop = created.drop;
    const channel = `jwt-revocation:test-live:${process.pid}:${Date.now()}`;
    const redis = new URL(redisUrl!);
    redisProxy = await new TcpProxy(redis.hostname, Number(redis.port || 6379)).start();
    const instance = async (port: number) => {
      const broadcaster = new RedisRevocationBroadcaster({ connection: { host: redis.hostname, port, maxRetriesPerRequest: 2 }, channel });
      const app = await startApp(created.url, { httpAdapter, revocationOptions: { broadcaster, sessions: { reuseGraceMs: 0, maxPerUser: 3 } } });
      await app.app.listen(0, '127.0.0.1');
      return app;
    };
    a = await instance(Number(redis.port || 6379));
    b = await instance(redisProxy.port); // B hears broadcasts through a proxy the test can cut
    urlB = (await b.app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redisProxy?.stop();
    await drop?.();
  });

  async function onB(token: string): Promise<LiveSocketClient> {
    const client = await connectSocket(urlB, token);
    open.push(client);
    return client;
  }

  async function expectRevoked(client: LiveSocketClient, reason: string): Promise<void> {
    await within(client.disconnected, CLOSE_BOUND_MS, 'disconnect');
    expect(client.seen).toEqual([`revoked:${reason}`, 'disconnect:io server disconnect']);
  }

  it('refuses a socket without a valid token; `me` answers the current user', async () => {
    await expect(connectSocket(urlB, undefined)).rejects.toMatchObject({ data: { status: 401 } });
    await expect(connectSocket(urlB, 'x.y.z')).rejects.toMatchObject({ data: { status: 401, error: 'invalid_token' } });
    const user = await registerAndLogin(a);
    const client = await onB(user.accessToken);
    await expect(client.emit('me')).resolves.toEqual({ id: user.id, email: user.email });
  });

  it('a logout on A ends the socket of that session on B; the other session’s socket stays', async () => {
    const user = await registerAndLogin(a);
    const other = (await login(a, user.email).expect(200)).body as LoggedIn;
    const client = await onB(user.accessToken);
    const bystander = await onB(other.accessToken);
    await a.http().post('/auth/logout').set(bearer(user.accessToken)).expect(204);
    await expectRevoked(client, 'session-revoked');
    await expect(bystander.emit('me')).resolves.toMatchObject({ id: user.id });
  });

  it('logout-all on A ends every socket of the user on B', async () => {
    const user = await registerAndLogin(a);
    const phone = (await login(a, user.email).expect(200)).body as LoggedIn;
    const sockets = [await onB(user.accessToken), await onB(phone.accessToken)];
    await a.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
    for (const socket of sockets) await expectRevoked(socket, 'session-revoked');
  });

  it('a password change on A ends the other sessions’ sockets and the old token’s socket on B', async () => {
    const user = await registerAndLogin(a);
    const phone = (await login(a, user.email).expect(200)).body as LoggedIn;
    const current = await onB(user.accessToken);
    const other = await onB(phone.accessToken);
    await a
      .http()
      .post('/auth/change-password')
      .set(bearer(user.accessToken))
      .send({ currentPassword: 'correct horse battery', newPassword: 'a much better passphrase 2026' })
      .expect(200);
    await expectRevoked(other, 'session-revoked');
    await expectRevoked(current, 'tokens-revoked');
  });

  it('a session revoked on A, refresh-token reuse on A and the session cap end those sockets on B', async () => {
    const user = await registerAndLogin(a);
    const laptop = (await login(a, user.email).expect(200)).body as LoggedIn;
    const laptopSocket = await onB(laptop.accessToken);
    const sessions = (await a.http().get('/auth/sessions').set(bearer(user.accessToken)).expect(200)).body as Array<{ id: string; current: boolean }>;
    await a.http().delete(`/auth/sessions/${sessions.find((s) => !s.current)!.id}`).set(bearer(user.accessToken)).expect(204);
    await expectRevoked(laptopSocket, 'session-revoked');

    const stolen = (await login(a, user.email).expect(200)).body as LoggedIn;
    const stolenSocket = await onB(stolen.accessToken);
    await a.http().post('/auth/refresh').send({ refreshToken: stolen.refreshToken }).expect(200);
    await a.http().post('/auth/refresh').send({ refreshToken: stolen.refreshToken }).expect(401);
    await expectRevoked(stolenSocket, 'session-revoked');

    const capped = await registerAndLogin(a);
    const oldestSocket = await onB(capped.accessToken);
    for (let i = 0; i < 3; i++) await login(a, capped.email).expect(200); // maxPerUser 3: the oldest ends
    await expectRevoked(oldestSocket, 'session-revoked');
  });

  it('logoutEveryone() on A ends every socket on B', async () => {
    const first = await onB((await registerAndLogin(a)).accessToken);
    const second = await onB((await registerAndLogin(b)).accessToken);
    await a.app.get(AuthTokenService).logoutEveryone();
    await expectRevoked(first, 'everyone-revoked');
    await expectRevoked(second, 'everyone-revoked');
  });

  it('a revocation B missed while its broadcast connection was cut ends the socket once B reconnects', async () => {
    const user = await registerAndLogin(a);
    const kept = await registerAndLogin(a);
    const client = await onB(user.accessToken);
    const bystander = await onB(kept.accessToken);
    redisProxy.cut();
    try {
      await a.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(client.seen).toEqual([]); // no message could reach B
    } finally {
      redisProxy.restore();
    }
    // B resyncs on reconnect and checks every open connection against the store.
    await within(client.disconnected, 15_000, 'disconnect after the reconnect');
    expect(client.seen).toEqual(['revoked:session-revoked', 'disconnect:io server disconnect']);
    expect(bystander.socket.connected).toBe(true);
  });
});
