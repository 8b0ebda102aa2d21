import { postgresDatabase, testDatabases, type HttpAdapterName } from './support/databases';
import { bearer, registerAndLogin, startApp, type TestApp } from './support/test-app';
import { TcpProxy, waitUntil } from './support/tcp-proxy';
import { startMetricsSdk, type MetricsSdk } from '../src/metrics/metrics-sdk';
import { InvalidConfigError } from '../src/config';
import { createServer } from 'node:net';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sqlite = testDatabases().find((database) => database.name === 'sqlite')!;
const postgres = postgresDatabase();

/** The value of the one sample of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels = ''): number {
  const lines = text.split('\n').filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(labels));
  expect(lines).toHaveLength(1);
  return Number(lines[0].slice(lines[0].lastIndexOf(' ') + 1));
}

describe.each(['express', 'fastify'] as HttpAdapterName[])('metrics and health routes over %s', (httpAdapter) => {
  let sdk: MetricsSdk;
  let t: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    sdk = startMetricsSdk({}); // as main.ts does, before the app is built
    const created = await sqlite.create();
    drop = created.drop;
    t = await startApp(created.url, { httpAdapter });
  });
  afterAll(async () => {
    await t?.close();
    await sdk?.shutdown();
    await drop?.();
  });

  it('GET /metrics shows checks and revocations moving with traffic', async () => {
    const user = await registerAndLogin(t);
    await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
    await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
    const before = await t.http().get('/metrics').expect(200);
    expect(before.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const accepted = (text: string) =>
      sample(text, 'jwt_revocation_checks_total', 'outcome="accepted",source="cache"') + sample(text, 'jwt_revocation_checks_total', 'outcome="accepted",source="store"');
    expect(accepted(before.text)).toBeGreaterThanOrEqual(2);
    expect(sample(before.text, 'jwt_revocation_channel_trusted')).toBe(1);
    expect(before.text).toContain('service_name="nestjs-jwt-revocation-demo"');

    await t.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
    await t.http().get('/me').set(bearer(user.accessToken)).expect(401);
    const after = (await t.http().get('/metrics').expect(200)).text;
    expect(sample(after, 'jwt_revocation_revocations_total', 'type="logout-all"')).toBe(sample(before.text, 'jwt_revocation_revocations_total', 'type="logout-all"') + 1);
    expect(sample(after, 'jwt_revocation_checks_total', 'outcome="refused",source="store"')).toBeGreaterThanOrEqual(1);
    for (const secret of [user.email, user.accessToken, user.refreshToken]) expect(after).not.toContain(secret);
  });

  it('GET /health/live answers while the process runs; /health/ready reports database, store and channel; /health is unchanged', async () => {
    await t.http().get('/health/live').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details).toMatchObject({
      database: { status: 'up' },
      revocation_store: { status: 'up' },
      revocation_broadcaster: { status: 'up', trusted: true },
    });
    await t.http().get('/health').expect(200, { status: 'ok' });
  });
});

describe('METRICS_PORT', () => {
  it('moves /metrics to its own port, and the app answers 404 there', async () => {
    const port = await freePort();
    const sdk = startMetricsSdk({ METRICS_PORT: String(port) });
    const { url, drop } = await sqlite.create();
    const t = await startApp(url);
    try {
      const user = await registerAndLogin(t);
      await t.http().get('/me').set(bearer(user.accessToken)).expect(200);
      await t.http().get('/metrics').expect(404);
      let text = '';
      await waitUntil(async () => {
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((response) => response.text(), () => '');
        return text.includes('jwt_revocation_checks_total');
      }, 5_000, 50);
      expect(sample(text, 'jwt_revocation_checks_total', 'outcome="accepted",source="store"')).toBeGreaterThanOrEqual(1);
    } finally {
      await t.close();
      await sdk.shutdown();
      await drop();
    }
  });

  it('refuses a value that is not a port, with a clear startup error', () => {
    expect(() => startMetricsSdk({ METRICS_PORT: 'metrics' })).toThrow(InvalidConfigError);
    expect(() => startMetricsSdk({ METRICS_PORT: 'metrics' })).toThrow('METRICS_PORT must be 1-65535, got "metrics"');
  });
});

const describeWithPostgres = postgres ? describe : describe.skip;
describeWithPostgres('readiness when PostgreSQL is black-holed', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await postgres!.create();
    drop = created.drop;
    const url = new URL(created.url);
    proxy = await new TcpProxy(url.hostname, Number(url.port || 5432)).start();
    url.port = String(proxy.port);
    t = await startApp(url.toString());
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    await drop?.();
  });

  it('answers 503 within 10 s while packets vanish, and 200 again once the database is back', async () => {
    await t.http().get('/health/ready').expect(200);
    proxy.blackHole();
    const started = Date.now();
    const down = await t.http().get('/health/ready');
    expect(down.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(down.body.error).toMatchObject({ database: { status: 'down' }, revocation_store: { status: 'down' } });
    await t.http().get('/health/live').expect(200);

    proxy.restore();
    await waitUntil(async () => (await t.http().get('/health/ready')).status === 200, 10_000, 200);
  }, 30_000);
});
