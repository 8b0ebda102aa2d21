import { Redis } from 'ioredis';
import { AuthTokenService, InvalidationChannel, RevocationChecker } from 'nestjs-jwt-revocation';
import { RedisRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import { postgresDatabase, testRedisUrl } from './support/databases';
import { bearer, login, registerAndLogin, startApp, type TestApp } from './support/test-app';
import { TcpProxy, waitUntil } from './support/tcp-proxy';
import { CapturingLogger } from './support/log-capture';

const redisUrl = testRedisUrl();
const postgres = postgresDatabase();
const describeWithServices = redisUrl && postgres ? describe : describe.skip;
if (!redisUrl || !postgres) console.warn('multi-instance suite skipped: set TEST_POSTGRES_URL and TEST_REDIS_URL (CI=true requires them)');

/** Generous bound for the test; the benchmark reports the real propagation figure. */
const PROPAGATION_BOUND_MS = 1000;
/** What the design guarantees on a silent link: trust lost 2 s (heartbeatDeadlineMs) after the last echo. */
const SILENT_LINK_BOUND_MS = 3000;

describeWithServices('two instances sharing PostgreSQL and Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let databaseUrl: string;
  let drop: () => Promise<void>;
  let dbProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let redisProxyOfA: TcpProxy;
  let admin: Redis;
  let bLogs: CapturingLogger;

  beforeAll(async () => {
    const created = await postgres!.create();
    databaseUrl = created.url;
    drop = created.drop;
    const pg = new URL(databaseUrl);
    const redis = new URL(redisUrl!);
    dbProxy = await new TcpProxy(pg.hostname, Number(pg.port || 5432)).start();
    redisProxy = await new TcpProxy(redis.hostname, Number(redis.port || 6379)).start();
    redisProxyOfA = await new TcpProxy(redis.hostname, Number(redis.port || 6379)).start();
    const channel = `jwt-revocation:test:${Date.now()}`;
    const viaProxy = (url: URL, port: number) => Object.assign(new URL(url.toString()), { port: String(port) }).toString();
    const broadcaster = (port: number, name: string) =>
      new RedisRevocationBroadcaster({ connection: { host: redis.hostname, port, connectionName: name, maxRetriesPerRequest: 2 }, channel });
    a = await startApp(databaseUrl, { revocationOptions: { broadcaster: broadcaster(redisProxyOfA.port, `jwtrev-a-${process.pid}`) } });
    // Created last, so Nest's shared logger is B's capture (A's link stays healthy and says nothing).
    bLogs = new CapturingLogger();
    b = await startApp(viaProxy(pg, dbProxy.port), { revocationOptions: { broadcaster: broadcaster(redisProxy.port, `jwtrev-b-${process.pid}`) } }, bLogs);
    admin = new Redis(redisUrl!);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dbProxy?.stop();
    await redisProxy?.stop();
    await redisProxyOfA?.stop();
    admin?.disconnect();
    await drop?.();
  });

  const meOn = (app: TestApp, token: string) => app.http().get('/me').set(bearer(token));
  const refusedOn = (app: TestApp, token: string) => async () => (await meOn(app, token)).status === 401;

  async function warmOn(app: TestApp, token: string): Promise<void> {
    await meOn(app, token).expect(200);
    await meOn(app, token).expect(200); // second request is served from the cache
  }

  it('a logout on A is refused on B within the bound', async () => {
    const user = await registerAndLogin(a);
    await warmOn(b, user.accessToken);
    await a.http().post('/auth/logout').set(bearer(user.accessToken)).expect(204);
    const delay = await waitUntil(refusedOn(b, user.accessToken), PROPAGATION_BOUND_MS);
    expect(delay).toBeLessThan(PROPAGATION_BOUND_MS);
  });

  it('logoutEveryone() on A is refused on B for every user within the bound; a login after it works on both', async () => {
    const first = await registerAndLogin(a);
    const second = await registerAndLogin(b);
    await warmOn(b, first.accessToken);
    await warmOn(b, second.accessToken);
    await a.app.get(AuthTokenService).logoutEveryone();
    await waitUntil(refusedOn(b, first.accessToken), PROPAGATION_BOUND_MS);
    await meOn(b, second.accessToken).expect(401);
    const again = (await login(b, first.email).expect(200)).body;
    await meOn(a, again.accessToken).expect(200);
    await meOn(b, again.accessToken).expect(200);
  });

  it('a logout-all on A is refused on B, for every session', async () => {
    const user = await registerAndLogin(a);
    const phone = (await login(a, user.email).expect(200)).body;
    await warmOn(b, user.accessToken);
    await warmOn(b, phone.accessToken);
    await a.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
    await waitUntil(refusedOn(b, user.accessToken), PROPAGATION_BOUND_MS);
    await meOn(b, phone.accessToken).expect(401);
  });

  it('a session revoked on A is refused on B while the other session keeps working there', async () => {
    const user = await registerAndLogin(a);
    const laptop = (await login(a, user.email).expect(200)).body;
    await warmOn(b, user.accessToken);
    await warmOn(b, laptop.accessToken);
    const sessions = (await a.http().get('/auth/sessions').set(bearer(user.accessToken)).expect(200)).body;
    const laptopSession = sessions.find((s: { current: boolean }) => !s.current);
    await a.http().delete(`/auth/sessions/${laptopSession.id}`).set(bearer(user.accessToken)).expect(204);
    await waitUntil(refusedOn(b, laptop.accessToken), PROPAGATION_BOUND_MS);
    await meOn(b, user.accessToken).expect(200);
  });

  it('serves a warm token from the cache: no store read per request', async () => {
    const user = await registerAndLogin(a);
    await warmOn(b, user.accessToken);
    const before = b.app.get(AuthTokenService).metrics().storeReads;
    for (let i = 0; i < 50; i++) await meOn(b, user.accessToken).expect(200);
    expect(b.app.get(AuthTokenService).metrics().storeReads - before).toBe(0);
  });

  it('after a flush, 100 concurrent requests over 10 users cost one version and one session read per user (coalesced), not one per request', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => registerAndLogin(a)));
    for (const user of users) await warmOn(b, user.accessToken);
    b.app.get(RevocationChecker).clearCache(); // what a resync or a reconnect does
    const before = b.app.get(AuthTokenService).metrics().storeReads;
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => meOn(b, users[i % 10].accessToken)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(200));
    const reads = b.app.get(AuthTokenService).metrics().storeReads - before;
    // 10 versions + 10 sessions + the everyone-out cutoff, read once after the flush.
    expect(reads).toBeLessThanOrEqual(21);
  });

  it('with its Redis connection cut, B reads the source of truth: a revocation on A is refused at once', async () => {
    const user = await registerAndLogin(a);
    const other = await registerAndLogin(a);
    await warmOn(b, user.accessToken);
    await warmOn(b, other.accessToken);
    redisProxy.cut();
    try {
      await a.http().post('/auth/logout').set(bearer(user.accessToken)).expect(204);
      // No message can reach B now; it must not answer from its (stale) cache.
      await meOn(b, user.accessToken).expect(401);
      await meOn(b, other.accessToken).expect(200);
    } finally {
      redisProxy.restore();
    }
    await waitUntil(async () => {
      const before = b.app.get(AuthTokenService).metrics().cacheHits;
      await meOn(b, other.accessToken).expect(200);
      await meOn(b, other.accessToken).expect(200);
      return b.app.get(AuthTokenService).metrics().cacheHits > before;
    }, 10_000, 50);
    await meOn(b, user.accessToken).expect(401);
    await meOn(b, other.accessToken).expect(200);
  });

  it('with its Redis link black-holed, B refuses a token revoked on A within 3 s, logs that it stopped trusting, and trusts again once the link is back', async () => {
    const user = await registerAndLogin(a);
    const other = await registerAndLogin(a);
    await warmOn(b, user.accessToken);
    await warmOn(b, other.accessToken);
    const channelOfB = b.app.get(InvalidationChannel);
    const untrustedLines = () => bLogs.lines.filter((line) => line.includes(`not trusted on instance ${channelOfB.instanceId}`));
    const alreadyLogged = untrustedLines().length;
    redisProxy.blackHole();
    try {
      await a.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
      const revokedAt = Date.now();
      // B's connection still looks up: only the missing heartbeat echo can tell it.
      const delay = await waitUntil(refusedOn(b, user.accessToken), SILENT_LINK_BOUND_MS + 2000, 20);
      expect(Date.now() - revokedAt).toBeLessThanOrEqual(SILENT_LINK_BOUND_MS);
      expect(delay).toBeLessThanOrEqual(SILENT_LINK_BOUND_MS);
      await meOn(b, other.accessToken).expect(200); // read from the store: valid tokens keep working
      expect(channelOfB.isTrusted()).toBe(false);
      // B stops hearing A too, and may notice that first; its own missing echo shows within a heartbeat interval.
      await waitUntil(async () => /heartbeat not echoed within \d+ ms/.test(channelOfB.reason ?? ''), 2000, 20);
      expect(untrustedLines()).toHaveLength(alreadyLogged + 1);
    } finally {
      redisProxy.restore();
    }
    await waitUntil(async () => channelOfB.isTrusted(), 15_000, 50);
    expect(bLogs.lines.some((line) => line.includes(`trusted again on instance ${channelOfB.instanceId}`))).toBe(true);
    expect(untrustedLines()).toHaveLength(alreadyLogged + 1); // once per loss, not once per request
    // Back on its cache: the messages B missed show as a sequence gap on A's next heartbeat, which
    // flushes once more and waits for one more echo, so the first requests may still read the store.
    await waitUntil(async () => {
      const hitsBefore = b.app.get(AuthTokenService).metrics().cacheHits;
      await warmOn(b, other.accessToken);
      return b.app.get(AuthTokenService).metrics().cacheHits > hitsBefore;
    }, 10_000, 50);
    await meOn(b, user.accessToken).expect(401);
    // Propagation is back too.
    await a.http().post('/auth/logout').set(bearer(other.accessToken)).expect(204);
    await waitUntil(refusedOn(b, other.accessToken), PROPAGATION_BOUND_MS);
  });

  it("with the revoking instance's (A's) Redis link black-holed, B refuses the revoked token within 3 s (A falls silent), and both trust again once the link is back", async () => {
    const user = await registerAndLogin(a);
    const other = await registerAndLogin(a);
    await warmOn(b, user.accessToken);
    await warmOn(b, other.accessToken);
    const channelOfA = a.app.get(InvalidationChannel);
    const channelOfB = b.app.get(InvalidationChannel);
    await waitUntil(async () => channelOfA.isTrusted() && channelOfB.isTrusted(), 15_000, 50);
    // B watches A from the first message it hears from it: make sure it has heard one, in case this runs right after startup.
    const earlier = await registerAndLogin(a);
    await warmOn(b, earlier.accessToken);
    await a.http().post('/auth/logout').set(bearer(earlier.accessToken)).expect(204);
    await waitUntil(refusedOn(b, earlier.accessToken), PROPAGATION_BOUND_MS);
    const untrustedLinesOfB = () => bLogs.lines.filter((line) => line.includes(`not trusted on instance ${channelOfB.instanceId}`));
    const alreadyLogged = untrustedLinesOfB().length;
    const receivedOnB = jest.spyOn(b.app.get(RevocationChecker), 'forget');
    redisProxyOfA.blackHole();
    let refusedAfterMs = Number.NaN;
    try {
      // The revocation is stored before A tries to publish it; its publish then waits on the silent
      // link (up to broadcastTimeoutMs), so B is polled meanwhile, from the moment the request is sent.
      const revokedAt = Date.now();
      const revocation = a.http().post('/auth/logout-all').set(bearer(user.accessToken)).then((res) => res);
      await waitUntil(refusedOn(b, user.accessToken), SILENT_LINK_BOUND_MS + 2000, 20);
      refusedAfterMs = Date.now() - revokedAt;
      expect((await revocation).status).toBe(204);
      // B's own link is healthy: only A's missing heartbeats can tell it.
      expect(channelOfB.isTrusted()).toBe(false);
      expect(channelOfB.reason).toBe(`peer ${channelOfA.instanceId.slice(0, 6)} silent for more than 2000 ms`);
      expect(channelOfA.isTrusted()).toBe(false); // A misses its own echo
      await meOn(b, other.accessToken).expect(200); // read from the store: valid tokens keep working
      await meOn(b, user.accessToken).expect(401);
      await meOn(a, user.accessToken).expect(401);
      expect(untrustedLinesOfB()).toHaveLength(alreadyLogged + 1);
    } finally {
      redisProxyOfA.restore();
    }
    console.log(`A's link black-holed: token revoked on A refused on B ${refusedAfterMs} ms after the logout-all was sent`);
    expect(refusedAfterMs).toBeLessThanOrEqual(SILENT_LINK_BOUND_MS);
    await waitUntil(async () => channelOfA.isTrusted() && channelOfB.isTrusted(), 15_000, 50);
    expect(bLogs.lines.some((line) => line.includes(`trusted again on instance ${channelOfB.instanceId}`))).toBe(true);
    expect(untrustedLinesOfB()).toHaveLength(alreadyLogged + 1); // once per loss, not once per request
    // A retries the publish the silent link swallowed: it reaches B once the link is back.
    const fromA = () => receivedOnB.mock.calls.filter(([message]) => message.from === channelOfA.instanceId && message.kind !== 'heartbeat');
    await waitUntil(async () => fromA().length > 0, 10_000, 50);
    receivedOnB.mockRestore();
    for (const app of [a, b]) {
      await meOn(app, user.accessToken).expect(401);
      await warmOn(app, other.accessToken);
    }
    // The cache serves again on B, and the revoked token stays refused from it.
    await waitUntil(async () => {
      const hitsBefore = b.app.get(AuthTokenService).metrics().cacheHits;
      await warmOn(b, other.accessToken);
      return b.app.get(AuthTokenService).metrics().cacheHits > hitsBefore;
    }, 10_000, 50);
    await meOn(b, user.accessToken).expect(401);
    await meOn(b, user.accessToken).expect(401);
    // Propagation from A is back too.
    await a.http().post('/auth/logout').set(bearer(other.accessToken)).expect(204);
    await waitUntil(refusedOn(b, other.accessToken), PROPAGATION_BOUND_MS);
  });

  it("a CLIENT KILL of B's subscription lets no revoked token through past the propagation bound, and refuses no valid one after recovery", async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => registerAndLogin(a)));
    for (const user of users) await warmOn(b, user.accessToken);
    const revoked = users.slice(0, 3);
    const kept = users.slice(3);
    const channelOfB = b.app.get(InvalidationChannel);
    // Traffic on B while its pub/sub connection is killed and revocations happen on A. A revocation
    // reaches B when its message does (or when B notices the lost link and flushes): a request
    // answered within that propagation time may still pass, one answered later may not.
    let stop = false;
    const acceptedAfterRevocationMs: number[] = [];
    const revokedAt = new Map<string, number>();
    const traffic = (async () => {
      while (!stop) {
        for (const user of revoked) {
          const revokedWhenSent = revokedAt.get(user.accessToken);
          const res = await meOn(b, user.accessToken);
          if (res.status === 200 && revokedWhenSent !== undefined) acceptedAfterRevocationMs.push(Date.now() - revokedWhenSent);
          expect(res.status).toBeLessThan(500);
        }
      }
    })();
    const killedAt = Date.now();
    const clients = await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub');
    const killed = await killSubscribersOf(admin, String(clients));
    expect(killed).toBeGreaterThan(0);
    for (const user of revoked) {
      await a.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
      revokedAt.set(user.accessToken, Date.now());
    }
    // Long enough that a token still accepted past the bound would be seen.
    await new Promise((resolve) => setTimeout(resolve, PROPAGATION_BOUND_MS + 300));
    stop = true;
    await traffic;
    for (const lag of acceptedAfterRevocationMs) expect(lag).toBeLessThan(PROPAGATION_BOUND_MS);
    // B noticed the lost subscription (trust lost, then regained with a flush), and is trusted again.
    await waitUntil(async () => channelOfB.isTrusted(), 10_000, 20);
    expect(channelOfB.since).toBeGreaterThan(killedAt);
    for (const user of revoked) await meOn(b, user.accessToken).expect(401);
    for (const user of kept) await meOn(b, user.accessToken).expect(200);
  });

  it('answers 503 with Retry-After while the database is unreachable and recovers after', async () => {
    const user = await registerAndLogin(a);
    await warmOn(b, user.accessToken);
    dbProxy.cut();
    try {
      // Strict routes always read the source of truth; with the DB down they fail closed.
      const strict = await b.http().post('/auth/change-password').set(bearer(user.accessToken)).send({ currentPassword: 'x', newPassword: 'yyyyyyyy' });
      expect(strict.status).toBe(503);
      expect(Number(strict.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.stringify(strict.body)).not.toMatch(/ECONN|postgres|select|at /i);
      // With Redis cut too, B cannot trust its cache: every check fails closed.
      redisProxy.cut();
      await waitUntil(async () => (await meOn(b, user.accessToken)).status === 503, 5000, 20);
    } finally {
      dbProxy.restore();
      redisProxy.restore();
    }
    await waitUntil(async () => (await meOn(b, user.accessToken)).status === 200, 15_000, 100);
    await a.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
    await waitUntil(refusedOn(b, user.accessToken), 5000);
  });
});

/** Kills the pub/sub connections that came through the proxy (B's), leaving everyone else's alone. */
async function killSubscribersOf(admin: Redis, clientList: string): Promise<number> {
  let killed = 0;
  for (const line of clientList.split('\n')) {
    const fields = Object.fromEntries(line.split(' ').map((kv) => kv.split('=') as [string, string]));
    if (fields.name === `jwtrev-b-${process.pid}`) {
      await admin.call('CLIENT', 'KILL', 'ID', fields.id);
      killed++;
    }
  }
  return killed;
}
