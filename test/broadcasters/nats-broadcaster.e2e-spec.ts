import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import type { InvalidationMessage } from 'nestjs-jwt-revocation';
import { NatsRevocationBroadcaster } from 'nestjs-jwt-revocation/nats';
import { runBroadcasterContract } from 'nestjs-jwt-revocation/testing';
import { NatsServer } from '../support/nats-server';
import { TcpProxy, waitUntil } from '../support/tcp-proxy';

// These suites start their own nats-server (never the shared one on 4222).
const available = NatsServer.available();
if (!available) {
  if (process.env.CI === 'true') throw new Error('CI=true needs nats-server (set NATS_SERVER_BIN) for the NATS broadcaster suite');
  console.warn('NATS broadcaster suite skipped: nats-server is not installed');
}

// Short PINGs so a silent (black-holed) link is noticed within the test's bounds.
const connectionOptions = { pingInterval: 500, maxPingOut: 2, reconnectTimeWait: 100 };

if (available) {
  runBroadcasterContract('NatsRevocationBroadcaster (core pub/sub)', async () => {
    const server = await new NatsServer().start();
    const proxy = await new TcpProxy('127.0.0.1', server.port).start();
    const subject = `jwt-revocation.contract.${randomBytes(6).toString('hex')}`;
    const raw = await connect({ servers: server.url });
    return {
      create: ({ cuttable }) =>
        new NatsRevocationBroadcaster({ servers: cuttable ? `nats://127.0.0.1:${proxy.port}` : server.url, subject, connectionOptions, publishTimeoutMs: 2000 }),
      publishRaw: async (text) => {
        raw.publish(subject, new TextEncoder().encode(text));
        await raw.flush();
      },
      cutLink: () => proxy.cut(),
      blackHoleLink: () => proxy.blackHole(),
      restoreLink: () => proxy.restore(),
      createOnBorrowedClient: async () => {
        const connection = await connect({ servers: server.url });
        return {
          broadcaster: new NatsRevocationBroadcaster({ connection, subject }),
          clientStillWorks: async () => !connection.isClosed() && (await connection.flush().then(() => true)),
          release: () => connection.close(),
        };
      },
      close: async () => {
        await raw.close();
        await proxy.stop();
        await server.stop();
      },
    };
  }, { blackHoleBoundMs: 10_000 });
}

(available ? describe : describe.skip)('NatsRevocationBroadcaster when its server goes away', () => {
  let server: NatsServer;
  let proxy: TcpProxy;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    server = await new NatsServer().start();
    proxy = await new TcpProxy('127.0.0.1', server.port).start();
  });
  afterEach(async () => {
    proxy.restore();
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });
  afterAll(async () => {
    await proxy?.stop();
    await server?.stop();
  });

  async function started(servers: string, subject: string) {
    const broadcaster = new NatsRevocationBroadcaster({ servers, subject, connectionOptions, publishTimeoutMs: 1000 });
    const received: InvalidationMessage[] = [];
    let resyncs = 0;
    await broadcaster.start({ onInvalidate: (message) => received.push(message), onResync: () => resyncs++ });
    stops.push(() => broadcaster.stop());
    return { broadcaster, received, resyncs: () => resyncs };
  }

  it('server killed and restarted (reset): disconnected meanwhile, then resubscribed with a resync and hearing again', async () => {
    const subject = `jwt-revocation.reset.${randomBytes(4).toString('hex')}`;
    const a = await started(server.url, subject);
    const b = await started(server.url, subject);
    const resyncs = b.resyncs();
    await server.kill();
    await waitUntil(async () => !a.broadcaster.isConnected() && !b.broadcaster.isConnected(), 5000);
    await expect(a.broadcaster.publish({ kind: 'user', userId: 'while-down' })).rejects.toThrow();
    await server.start(); // same port
    await waitUntil(async () => a.broadcaster.isConnected() && b.broadcaster.isConnected() && b.resyncs() > resyncs, 15_000);
    await a.broadcaster.publish({ kind: 'user', userId: 'after-reset' });
    await waitUntil(async () => b.received.some((m) => m.kind === 'user' && m.userId === 'after-reset'), 5000);
  });

  it('a black-holed link is noticed through missed PINGs, and it resubscribes with a resync once the route is back', async () => {
    const subject = `jwt-revocation.hole.${randomBytes(4).toString('hex')}`;
    const b = await started(`nats://127.0.0.1:${proxy.port}`, subject);
    const resyncs = b.resyncs();
    proxy.blackHole();
    // PING every 500 ms, two unanswered = stale: generous bound
    await waitUntil(async () => !b.broadcaster.isConnected(), 10_000);
    proxy.restore();
    await waitUntil(async () => b.broadcaster.isConnected() && b.resyncs() > resyncs, 15_000);
  });
});

