import { Pool } from 'pg';
import type { InvalidationMessage } from 'nestjs-jwt-revocation';
import { PostgresRevocationBroadcaster } from 'nestjs-jwt-revocation/postgres';
import { runBroadcasterContract } from 'nestjs-jwt-revocation/testing';
import { postgresDatabase } from '../support/databases';
import { TcpProxy, waitUntil } from '../support/tcp-proxy';

const postgres = postgresDatabase();
if (!postgres) console.warn('PostgreSQL broadcaster suite skipped: set TEST_POSTGRES_URL (CI=true requires it)');

// A database of its own: NOTIFY channels are per database, so nothing else hears these tests.
if (postgres) runBroadcasterContract(
  'PostgresRevocationBroadcaster (LISTEN/NOTIFY)',
  async () => {
    const created = await postgres!.create();
    const url = new URL(created.url);
    const proxy = await new TcpProxy(url.hostname, Number(url.port || 5432)).start();
    const viaProxy = Object.assign(new URL(created.url), { port: String(proxy.port) }).toString();
    const raw = new Pool({ connectionString: created.url, max: 1 });
    const channel = 'jwt_revocation_contract';
    return {
      create: ({ cuttable }) =>
        new PostgresRevocationBroadcaster({ connection: cuttable ? viaProxy : created.url, channel, timeoutMs: 1000, probeIntervalMs: 1000 }),
      publishRaw: async (text) => void (await raw.query('SELECT pg_notify($1, $2)', [channel, text])),
      cutLink: () => proxy.cut(),
      blackHoleLink: () => proxy.blackHole(),
      restoreLink: () => proxy.restore(),
      createOnBorrowedClient: async () => {
        const pool = new Pool({ connectionString: created.url, max: 1 });
        return {
          broadcaster: new PostgresRevocationBroadcaster({ connection: created.url, pool, channel }),
          clientStillWorks: async () => (await pool.query('SELECT 1 AS one')).rows[0].one === 1,
          release: () => pool.end(),
        };
      },
      close: async () => {
        await raw.end();
        await proxy.stop();
        await created.drop();
      },
    };
  },
  { publishBoundMs: 5000, reconnectBoundMs: 15_000, blackHoleBoundMs: 10_000 },
);
else describe.skip('PostgresRevocationBroadcaster (LISTEN/NOTIFY)', () => it.todo('needs TEST_POSTGRES_URL'));

(postgres ? describe : describe.skip)('PostgresRevocationBroadcaster beyond the contract', () => {
  let created: { url: string; drop(): Promise<void> };
  let proxy: TcpProxy;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    created = await postgres!.create();
    const url = new URL(created.url);
    proxy = await new TcpProxy(url.hostname, Number(url.port || 5432)).start();
  });
  afterEach(async () => {
    proxy.restore();
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });
  afterAll(async () => {
    await proxy?.stop();
    await created?.drop();
  });

  async function started(connection: string, channel: string) {
    const broadcaster = new PostgresRevocationBroadcaster({ connection, channel, timeoutMs: 1000, probeIntervalMs: 500 });
    const received: InvalidationMessage[] = [];
    let resyncs = 0;
    await broadcaster.start({ onInvalidate: (message) => received.push(message), onResync: () => resyncs++ });
    stops.push(() => broadcaster.stop());
    return { broadcaster, received, resyncs: () => resyncs };
  }

  it('carries a sessions revocation far over the 8000-byte NOTIFY limit: every id arrives', async () => {
    const a = await started(created.url, 'jwt_revocation_big');
    const sessionIds = Array.from({ length: 1000 }, (_, i) => `session-${i}-0c8c0f1a-d6e1-4d9b-9a57`);
    await a.broadcaster.publish({ kind: 'sessions', sessionIds });
    await waitUntil(async () => a.received.flatMap((m) => (m.kind === 'sessions' ? m.sessionIds : [])).length >= 1000, 5000);
    expect(a.received.flatMap((m) => (m.kind === 'sessions' ? m.sessionIds : []))).toEqual(sessionIds);
  });

  it('notices a black-holed listening connection through its probe, and listens again (with a resync) once the route is back', async () => {
    const viaProxy = Object.assign(new URL(created.url), { port: String(proxy.port) }).toString();
    const b = await started(viaProxy, 'jwt_revocation_hole');
    expect(b.broadcaster.isConnected()).toBe(true);
    const resyncs = b.resyncs();
    proxy.blackHole();
    // probe every 500 ms, answer within 1000 ms: generous bound
    await waitUntil(async () => !b.broadcaster.isConnected(), 10_000);
    proxy.restore();
    await waitUntil(async () => b.broadcaster.isConnected() && b.resyncs() > resyncs, 15_000);
  });
});
