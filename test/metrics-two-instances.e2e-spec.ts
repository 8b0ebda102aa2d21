import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { postgresDatabase, testRedisUrl } from './support/databases';
import { startDemoProcess, type DemoProcess } from './support/demo-process';
import { TcpProxy, waitUntil } from './support/tcp-proxy';

const postgres = postgresDatabase();
const redisWanted = testRedisUrl(); // required under CI=true; this suite runs its own redis-server
const describeWithServices = postgres && redisWanted ? describe : describe.skip;
if (!postgres || !redisWanted) console.warn('two-instance metrics suite skipped: set TEST_POSTGRES_URL and TEST_REDIS_URL (CI=true requires them)');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The sum of every sample of `name` whose labels include `labels`; 0 when there is none. */
function total(text: string, name: string, labels = ''): number {
  return text
    .split('\n')
    .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const checks = (text: string, outcome: string) => total(text, 'jwt_revocation_checks_total', `outcome="${outcome}"`);

/**
 * Issue 17's "done when", first part: two demo processes on one PostgreSQL and one Redis, each with
 * its own OpenTelemetry SDK, show checks, revocations and propagation lag moving on /metrics; with
 * B's Redis link black-holed (B reaches Redis through a proxy), B's channel trust drops to 0 and comes back (A's too: B has fallen silent to it).
 */
describeWithServices('/metrics on two demo instances sharing PostgreSQL and Redis', () => {
  let redis: ChildProcess;
  let a: DemoProcess;
  let b: DemoProcess;
  let drop: () => Promise<void>;
  let redisProxyOfB: TcpProxy;

  beforeAll(async () => {
    const redisPort = await freePort();
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitUntil(async () => new Promise<boolean>((resolve) => connect(redisPort, '127.0.0.1').once('connect', function (this: import('node:net').Socket) { this.destroy(); resolve(true); }).once('error', () => resolve(false))), 10_000, 50);
    const created = await postgres!.create();
    drop = created.drop;
    const env = { DATABASE_URL: created.url, REDIS_URL: `redis://127.0.0.1:${redisPort}`, JWT_SECRET: randomBytes(48).toString('base64url') };
    redisProxyOfB = await new TcpProxy('127.0.0.1', redisPort).start();
    a = await startDemoProcess(await freePort(), env); // runs the migrations first
    b = await startDemoProcess(await freePort(), { ...env, REDIS_URL: `redis://127.0.0.1:${redisProxyOfB.port}` });
    await waitUntil(async () => (await a.metrics()).includes('jwt_revocation_channel_trusted') && total(await b.metrics(), 'jwt_revocation_channel_trusted') === 1, 10_000, 100);
  }, 240_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await redisProxyOfB?.stop();
    redis?.kill('SIGTERM');
    await drop?.();
  }, 30_000);

  it('shows checks, revocations and propagation lag moving on each instance as traffic flows', async () => {
    const [aBefore, bBefore] = [await a.metrics(), await b.metrics()];
    for (const text of [aBefore, bBefore]) expect(total(text, 'jwt_revocation_channel_trusted')).toBe(1);

    const email = `metrics-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';
    expect((await a.post('/auth/register', { email, password })).status).toBe(201);
    const { accessToken } = (await (await a.post('/auth/login', { email, password })).json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    for (const demo of [a, b, a, b]) expect((await demo.get('/me', auth)).status).toBe(200);

    expect((await a.post('/auth/logout-all', undefined, auth)).status).toBe(204);
    await waitUntil(async () => (await b.get('/me', auth)).status === 401, 5_000, 10);

    const [aAfter, bAfter] = [await a.metrics(), await b.metrics()];
    expect(checks(aAfter, 'accepted') - checks(aBefore, 'accepted')).toBe(3); // two GET /me and the logout-all itself
    expect(checks(bAfter, 'accepted') - checks(bBefore, 'accepted')).toBeGreaterThanOrEqual(2);
    expect(checks(bAfter, 'refused') - checks(bBefore, 'refused')).toBe(1);
    const revocations = (text: string) => total(text, 'jwt_revocation_revocations_total', 'type="logout-all"');
    expect(revocations(aAfter) - revocations(aBefore)).toBe(1); // counted where it was made
    expect(revocations(bAfter) - revocations(bBefore)).toBe(0);
    const lagCount = (text: string) => total(text, 'jwt_revocation_propagation_lag_seconds_count');
    expect(lagCount(bAfter) - lagCount(bBefore)).toBeGreaterThanOrEqual(1); // measured where it arrived
    const lagSum = total(bAfter, 'jwt_revocation_propagation_lag_seconds_sum') - total(bBefore, 'jwt_revocation_propagation_lag_seconds_sum');
    expect(lagSum).toBeGreaterThanOrEqual(0);
    expect(lagSum).toBeLessThan(1); // same host, same clock: well under a second
    expect(total(bAfter, 'jwt_revocation_store_read_duration_seconds_count')).toBeGreaterThan(total(bBefore, 'jwt_revocation_store_read_duration_seconds_count'));
    for (const text of [aAfter, bAfter]) expect(text).not.toContain(email);
  }, 60_000);

  it("shows jwt_revocation_channel_trusted 0 on B within the heartbeat deadline while B's Redis link is black-holed, and 1 again after", async () => {
    const trusted = async (demo: DemoProcess) => total(await demo.metrics(), 'jwt_revocation_channel_trusted');
    expect(await trusted(b)).toBe(1);
    redisProxyOfB.blackHole();
    const blackHoledAt = Date.now();
    try {
      // heartbeatDeadlineMs (2 s) after the last echo, plus a scrape: the design's bound is under 3 s.
      await waitUntil(async () => (await trusted(b)) === 0, 10_000, 100);
      expect(Date.now() - blackHoledAt).toBeLessThan(3_000 + 1_000);
      // B also stops hearing A, and A's last heartbeat may be older than B's last echo: the first
      // reason can be the silent peer, but B's own missing echo shows within a heartbeat interval.
      const reasonOfB = async () =>
        ((await (await b.get('/health/ready')).json()) as { details?: Record<string, { trusted?: boolean; reason?: string }> }).details?.revocation_broadcaster;
      await waitUntil(async () => /heartbeat not echoed within \d+ ms/.test((await reasonOfB())?.reason ?? ''), 3_000, 100);
      expect(await reasonOfB()).toMatchObject({ trusted: false, reason: expect.stringMatching(/heartbeat not echoed within \d+ ms/) });
      // A's own link is healthy, but B has fallen silent: revocations made on B may not be arriving.
      await waitUntil(async () => (await trusted(a)) === 0, 5_000, 100);
      const healthOfA = (await (await a.get('/health/ready')).json()) as { details?: Record<string, { trusted?: boolean; reason?: string }> };
      expect(healthOfA.details?.revocation_broadcaster).toMatchObject({ trusted: false, reason: expect.stringMatching(/^peer \S+ silent for more than \d+ ms$/) });
    } finally {
      redisProxyOfB.restore();
    }
    await waitUntil(async () => (await trusted(b)) === 1 && (await trusted(a)) === 1, 20_000, 100);
    expect(b.output()).toMatch(/Revocation channel not trusted on instance \S+ \((heartbeat not echoed within \d+ ms|peer \S+ silent for more than \d+ ms)\)/);
    expect(b.output()).toMatch(/Revocation channel trusted again on instance/);
    expect(a.output()).toMatch(/Revocation channel not trusted on instance \S+ \(peer \S+ silent for more than \d+ ms\)/);
    expect(a.output()).toMatch(/Revocation channel trusted again on instance/);
  }, 60_000);
});
