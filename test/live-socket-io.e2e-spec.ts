import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { SubscribeMessage, WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import {
  Auth,
  AuthTokenService,
  CurrentUser,
  LiveConnectionRegistry,
  RevocationChecker,
  SocketIoLiveConnections,
  type LiveSocketServer,
} from 'nestjs-jwt-revocation';
import { InMemoryTokenVersionStore, JwtRevocationTestingModule } from 'nestjs-jwt-revocation/testing';
import { connectSocket, within, type LiveSocketClient } from './support/live-clients';
import { waitUntil } from './support/tcp-proxy';

/** Generous: the design closes within the propagation bound (milliseconds); the benchmark has the figure. */
const CLOSE_BOUND_MS = 3000;

@WebSocketGateway()
class ChatGateway implements OnGatewayInit {
  constructor(private readonly live: SocketIoLiveConnections) {}

  afterInit(server: LiveSocketServer): void {
    this.live.bind(server);
  }

  @Auth()
  @SubscribeMessage('whoami')
  whoAmI(@CurrentUser('id') id: string, @CurrentUser('sessionId') sessionId: string): { id: string; sessionId: string } {
    return { id, sessionId };
  }
}

function appWith(options: object): Type {
  @Module({
    imports: [JwtRevocationTestingModule.forRoot({ users: ['alice', 'bob'], options: { sessions: { reuseGraceMs: 0, maxPerUser: 3 }, ...options } })],
    providers: [ChatGateway],
  })
  class LiveApp {}
  return LiveApp;
}

const adapters = [
  { name: 'express', create: () => new ExpressAdapter() },
  { name: 'fastify', create: () => new FastifyAdapter() },
];

async function listen(module: Type, adapter: (typeof adapters)[number]): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(module, adapter.create(), { logger: ['error'], abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

describe.each(adapters)('socket.io connections end on revocation, over $name', (adapter) => {
  let app: INestApplication;
  let url: string;
  let tokens: AuthTokenService;
  let registry: LiveConnectionRegistry;
  const open: LiveSocketClient[] = [];

  beforeAll(async () => {
    ({ app, url } = await listen(appWith({}), adapter));
    tokens = app.get(AuthTokenService);
    registry = app.get(LiveConnectionRegistry);
  });

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await app?.close();
  });

  async function connect(token: string): Promise<LiveSocketClient> {
    const client = await connectSocket(url, token);
    open.push(client);
    return client;
  }

  async function expectRevoked(client: LiveSocketClient, reason: string): Promise<void> {
    await within(client.disconnected, CLOSE_BOUND_MS, 'disconnect');
    expect(client.seen).toEqual([`revoked:${reason}`, 'disconnect:io server disconnect']);
  }

  it('refuses a connection without a token, or with a bad one, at the handshake', async () => {
    await expect(connectSocket(url, undefined)).rejects.toMatchObject({ message: 'Authentication required', data: { status: 401, error: 'Unauthorized' } });
    await expect(connectSocket(url, 'not.a.token')).rejects.toMatchObject({ data: { status: 401, error: 'invalid_token' } });
    const { accessToken } = await tokens.login('alice');
    await tokens.logoutAll('alice');
    await expect(connectSocket(url, accessToken)).rejects.toMatchObject({ data: { status: 401, error: 'invalid_token' } });
  });

  it('answers as the current user, then ends the socket with `revoked` when its session logs out', async () => {
    const session = await tokens.login('alice');
    const other = await tokens.login('alice');
    const client = await connect(session.accessToken);
    const bystander = await connect(other.accessToken);
    await expect(client.emit('whoami')).resolves.toEqual({ id: 'alice', sessionId: session.sessionId });
    await tokens.logout({ id: 'alice', sessionId: session.sessionId });
    await expectRevoked(client, 'session-revoked');
    expect(bystander.socket.connected).toBe(true);
    await expect(bystander.emit('whoami')).resolves.toMatchObject({ id: 'alice' });
  });

  // With sessions on, logout-all and a password change end the sessions too: their sockets read
  // `session-revoked`; `tokens-revoked` is for a token whose session survives (the kept session).
  it('logout-all and a password change end every socket of the user, not another user’s', async () => {
    const phone = await connect((await tokens.login('alice')).accessToken);
    const laptop = await connect((await tokens.login('alice')).accessToken);
    const bob = await connect((await tokens.login('bob')).accessToken);
    await tokens.logoutAll('alice');
    await expectRevoked(phone, 'session-revoked');
    await expectRevoked(laptop, 'session-revoked');
    expect(bob.socket.connected).toBe(true);

    const kept = await tokens.login('bob');
    const keptSocket = await connect(kept.accessToken);
    await tokens.passwordChanged('bob', kept.sessionId);
    // The kept session survives, but its old token (old version) does not.
    await expectRevoked(keptSocket, 'tokens-revoked');
    await expectRevoked(bob, 'session-revoked');
  });

  it('a socket opened with the new version stays open when a late logout-all broadcast arrives', async () => {
    await tokens.logoutAll('alice');
    const fresh = await connect((await tokens.login('alice')).accessToken);
    // What another instance's broadcast of that logout-all does when it arrives after the new login.
    app.get(RevocationChecker).forget({ kind: 'user', userId: 'alice' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fresh.socket.connected).toBe(true);
    await expect(fresh.emit('whoami')).resolves.toMatchObject({ id: 'alice' });
  });

  it('session revoke, refresh-token reuse and the session cap end the sockets of those sessions', async () => {
    const revokedSession = await tokens.login('alice');
    const revokedSocket = await connect(revokedSession.accessToken);
    await tokens.revokeSession('alice', revokedSession.sessionId!);
    await expectRevoked(revokedSocket, 'session-revoked');

    const stolen = await tokens.login('alice');
    const stolenSocket = await connect(stolen.accessToken);
    await tokens.refresh(stolen.refreshToken);
    await expect(tokens.refresh(stolen.refreshToken)).rejects.toThrow(); // reuse: the family ends
    await expectRevoked(stolenSocket, 'session-revoked');

    await tokens.logoutAll('bob');
    const oldest = await tokens.login('bob');
    const oldestSocket = await connect(oldest.accessToken);
    await tokens.login('bob');
    await tokens.login('bob');
    await tokens.login('bob'); // maxPerUser 3: the oldest session is revoked
    await expectRevoked(oldestSocket, 'session-revoked');
  });

  it('logoutEveryone() ends every socket', async () => {
    const alice = await connect((await tokens.login('alice')).accessToken);
    const bob = await connect((await tokens.login('bob')).accessToken);
    await tokens.logoutEveryone();
    await expectRevoked(alice, 'everyone-revoked');
    await expectRevoked(bob, 'everyone-revoked');
    const after = await connect((await tokens.login('bob')).accessToken);
    await expect(after.emit('whoami')).resolves.toMatchObject({ id: 'bob' });
  });

  it('forgets sockets that disconnect on their own', async () => {
    app.get(InMemoryTokenVersionStore).addUser('carol');
    const client = await connect((await tokens.login('carol')).accessToken);
    expect(registry.countOf('carol')).toBe(1);
    client.close();
    await waitUntil(async () => registry.countOf('carol') === 0, CLOSE_BOUND_MS);
  });
});

describe.each(adapters)('socket.io connections end when their token expires, over $name', (adapter) => {
  let app: INestApplication;
  let url: string;
  let tokens: AuthTokenService;

  beforeAll(async () => {
    ({ app, url } = await listen(appWith({ accessTokenTtl: 2 }), adapter));
    tokens = app.get(AuthTokenService);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('emits `revoked` with reason `expired` and disconnects at expiry', async () => {
    const client = await connectSocket(url, (await tokens.login('alice')).accessToken);
    await within(client.disconnected, 2000 + CLOSE_BOUND_MS, 'disconnect at expiry');
    expect(client.seen).toEqual(['revoked:expired', 'disconnect:io server disconnect']);
  });

  it('keeps a socket past expiry when the client re-authenticates on it with `authenticate`', async () => {
    const first = await tokens.login('bob');
    const client = await connectSocket(url, first.accessToken);
    try {
      const expiresAt = JSON.parse(Buffer.from(first.accessToken.split('.')[1], 'base64url').toString()).exp as number;
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const fresh = await tokens.refresh(first.refreshToken);
      await expect(client.emit('authenticate', { token: fresh.accessToken })).resolves.toMatchObject({ ok: true });
      // Another user's token is refused: a socket never changes hands.
      const alice = await tokens.login('alice');
      await expect(client.emit('authenticate', { token: alice.accessToken })).resolves.toMatchObject({ ok: false, status: 400 });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt * 1000 + 300 - Date.now())));
      expect(client.socket.connected).toBe(true);
      await expect(client.emit('whoami')).resolves.toMatchObject({ id: 'bob' }); // the guard checks the fresh token
      await within(client.disconnected, 3000 + CLOSE_BOUND_MS, 'disconnect when the fresh token expires');
      expect(client.seen).toEqual(['revoked:expired', 'disconnect:io server disconnect']);
    } finally {
      client.close();
    }
  });
});
