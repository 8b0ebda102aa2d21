import { randomBytes } from 'node:crypto';
import { postgresDatabase } from './support/databases';
import { freePort } from './support/free-port';
import { startDemoProcess, type DemoProcess } from './support/demo-process';
import { NatsServer } from './support/nats-server';
import { waitUntil } from './support/tcp-proxy';

const postgres = postgresDatabase();
const describeWithPostgres = postgres ? describe : describe.skip;
if (!postgres) console.warn('BROADCASTER=postgres|nats two-instance suite skipped: set TEST_POSTGRES_URL (CI=true requires it)');
if (process.env.CI === 'true' && !NatsServer.available()) throw new Error('CI=true needs nats-server for the BROADCASTER=nats two-instance suite');

/** Generous bound for the test; the benchmark reports the real propagation figure. */
const PROPAGATION_BOUND_MS = 1000;

const trusted = (metrics: string) => /^jwt_revocation_channel_trusted(\{[^}]*\})? 1$/m.test(metrics);

// Multi-instance without Redis: two demo processes on one PostgreSQL, no REDIS_URL, invalidations
// over LISTEN/NOTIFY on that database, or over a NATS server of the suite's own.
describeWithPostgres.each(['postgres', 'nats'])('two demo instances on PostgreSQL with BROADCASTER=%s (no Redis)', (kind) => {
  let a: DemoProcess;
  let b: DemoProcess;
  let drop: () => Promise<void>;
  let nats: NatsServer | undefined;

  beforeAll(async () => {
    const created = await postgres!.create();
    drop = created.drop;
    if (kind === 'nats') nats = await new NatsServer().start();
    const env = { DATABASE_URL: created.url, BROADCASTER: kind, REDIS_URL: '', NATS_URL: nats?.url ?? '', JWT_SECRET: randomBytes(48).toString('base64url') };
    a = await startDemoProcess(await freePort(), env); // runs the migrations first
    b = await startDemoProcess(await freePort(), env);
    // Both listening: the channel is trusted, so B answers from its cache until told otherwise.
    await waitUntil(async () => trusted(await a.metrics()) && trusted(await b.metrics()), 10_000, 100);
  }, 240_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await nats?.stop();
    await drop?.();
  }, 30_000);

  async function signedIn(): Promise<{ email: string; password: string; auth: Record<string, string> }> {
    const email = `pg-notify-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`;
    const password = 'correct horse battery staple';
    expect((await a.post('/auth/register', { email, password })).status).toBe(201);
    const { accessToken } = (await (await a.post('/auth/login', { email, password })).json()) as { accessToken: string };
    return { email, password, auth: { authorization: `Bearer ${accessToken}` } };
  }

  it('a logout on A is refused on B within the bound, B having served the token from its cache before', async () => {
    const user = await signedIn();
    for (const demo of [b, b, a]) expect((await demo.get('/me', user.auth)).status).toBe(200);
    expect((await a.post('/auth/logout', undefined, user.auth)).status).toBe(204);
    const delay = await waitUntil(async () => (await b.get('/me', user.auth)).status === 401, PROPAGATION_BOUND_MS, 5);
    expect(delay).toBeLessThan(PROPAGATION_BOUND_MS);
  });

  it('a logout-all on B is refused on A for every session', async () => {
    const user = await signedIn();
    const { accessToken } = (await (await b.post('/auth/login', { email: user.email, password: user.password })).json()) as { accessToken: string };
    const phone = { authorization: `Bearer ${accessToken}` };
    for (const auth of [user.auth, phone]) for (const demo of [a, a]) expect((await demo.get('/me', auth)).status).toBe(200);
    expect((await b.post('/auth/logout-all', undefined, user.auth)).status).toBe(204);
    await waitUntil(async () => (await a.get('/me', user.auth)).status === 401, PROPAGATION_BOUND_MS, 5);
    expect((await a.get('/me', phone)).status).toBe(401);
  });
});

describe('BROADCASTER setting of the demo', () => {
  it.each([
    ['an unknown value', { BROADCASTER: 'kafka' }, /Invalid configuration: BROADCASTER must be one of redis, postgres, nats \(or unset\), got "kafka"/],
    ['nats without NATS_URL', { BROADCASTER: 'nats' }, /Invalid configuration: BROADCASTER=nats needs NATS_URL/],
    ['postgres on SQLite', { BROADCASTER: 'postgres' }, /Invalid configuration: BROADCASTER=postgres needs a PostgreSQL DATABASE_URL/],
    ['redis without REDIS_URL', { BROADCASTER: 'redis' }, /Invalid configuration: BROADCASTER=redis needs REDIS_URL/],
  ])('stops the start with a clear message for %s', async (_, env, message) => {
    const failed = startDemoProcess(await freePort(), { DATABASE_URL: 'sqlite::memory:', REDIS_URL: '', NATS_URL: '', JWT_SECRET: randomBytes(48).toString('base64url'), ...env });
    await expect(failed).rejects.toThrow(message);
  });
});
