import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationModule } from '../jwt-revocation.module';
import type { JwtRevocationModuleOptions } from '../options/jwt-revocation-options.interface';
import { AuthTokenService } from '../auth-token.service';
import { AccessTokenVerifier } from '../access-tokens/access-token.verifier';
import { InMemoryTokenVersionStore } from './in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import type { TokenVersionStore } from './token-version-store.interface';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { InvalidTokenException, RevocationUnavailableException } from '../errors/bearer-auth.exceptions';
import { InvalidRefreshTokenException } from '../errors/invalid-refresh-token.exception';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import type { RevocationEvent } from '../events/revocation-event';

const SECRET = 'logout-everyone-spec-secret-of-32-bytes';

/** Delivers every published invalidation to the other instances, as Redis would. */
class LinkedBroadcaster implements RevocationBroadcaster {
  listener: InvalidationListener | undefined;
  connected = true;
  constructor(private readonly peers: LinkedBroadcaster[]) {
    peers.push(this);
  }
  async start(listener: InvalidationListener): Promise<void> {
    this.listener = listener;
  }
  async publish(message: InvalidationMessage): Promise<void> {
    for (const peer of this.peers) peer.listener?.onInvalidate(message); // the publisher too, as Redis does
  }
  isConnected(): boolean {
    return this.connected;
  }
  async stop(): Promise<void> {}
}

interface Instance {
  module: TestingModule;
  tokens: AuthTokenService;
  verifier: AccessTokenVerifier;
}

describe('AuthTokenService.logoutEveryone()', () => {
  let versions: InMemoryTokenVersionStore;
  let sessions: InMemorySessionStore;
  let peers: LinkedBroadcaster[];
  let events: RevocationEvent[];
  const instances: Instance[] = [];

  async function instance(extra: Partial<JwtRevocationModuleOptions> = {}): Promise<Instance> {
    const module = await Test.createTestingModule({
      imports: [
        JwtRevocationModule.forRoot({
          secret: SECRET,
          issuer: 'spec',
          audience: 'spec',
          tokenVersionStore: versions,
          sessionStore: sessions,
          sessions: { purgeIntervalMs: 0 },
          broadcaster: new LinkedBroadcaster(peers),
          onRevocation: (event) => {
            events.push(event);
          },
          globalGuard: false,
          ...extra,
        }),
      ],
    }).compile();
    module.useLogger(false);
    await module.init();
    const created = { module, tokens: module.get(AuthTokenService), verifier: module.get(AccessTokenVerifier) };
    instances.push(created);
    return created;
  }

  beforeEach(() => {
    versions = new InMemoryTokenVersionStore();
    for (const user of ['alice', 'bob', 'carol']) versions.addUser(user);
    sessions = new InMemorySessionStore();
    peers = [];
    events = [];
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    while (instances.length > 0) await instances.pop()!.module.close();
  });

  it('refuses every token and session issued before the call, for every user, on every instance; later logins are unaffected', async () => {
    const a = await instance();
    const b = await instance();
    const alice = await a.tokens.login('alice');
    const bob = await b.tokens.login('bob');
    const service = await a.tokens.issueAccessToken('carol'); // no session
    for (const token of [alice.accessToken, bob.accessToken, service]) await expect(b.verifier.verify(token)).resolves.toBeDefined();

    await a.tokens.logoutEveryone();

    for (const verifier of [a.verifier, b.verifier]) {
      for (const token of [alice.accessToken, bob.accessToken, service]) await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
    }
    await expect(b.tokens.refresh(alice.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenException);
    await expect(a.tokens.refresh(bob.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenException);
    expect(await a.tokens.listSessions('alice')).toEqual([]);
    expect(events).toContainEqual({ type: 'logout-everyone', userId: '*', sessionIds: [], at: expect.any(Number) });

    // A login after the call (even within the same second, on either instance) works.
    const again = await b.tokens.login('alice');
    await expect(a.verifier.verify(again.accessToken)).resolves.toMatchObject({ id: 'alice' });
    await expect(b.verifier.verify(again.accessToken)).resolves.toMatchObject({ id: 'alice' });
    const rotated = await a.tokens.refresh(again.refreshToken);
    await expect(b.verifier.verify(rotated.accessToken)).resolves.toMatchObject({ id: 'alice' });
    expect(await a.tokens.listSessions('alice')).toHaveLength(1);
  });

  it('is durable: an instance started after it (a restart) still refuses the old tokens', async () => {
    const before = await instance();
    const alice = await before.tokens.login('alice');
    await before.tokens.logoutEveryone();
    await before.module.close();
    instances.pop();
    const restarted = await instance();
    await expect(restarted.verifier.verify(alice.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(restarted.tokens.refresh(alice.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenException);
  });

  it('reaches an instance that missed the broadcast once its cutoff is older than cache.ttlMs', async () => {
    const a = await instance({ cache: { ttlMs: 1_000 } });
    const b = await instance({ cache: { ttlMs: 1_000 } });
    const alice = await a.tokens.login('alice');
    await expect(b.verifier.verify(alice.accessToken)).resolves.toBeDefined();
    const bBroadcaster = peers[1];
    const listener = bBroadcaster.listener;
    bBroadcaster.listener = undefined; // the message is lost
    await a.tokens.logoutEveryone();
    bBroadcaster.listener = listener;
    await expect(b.verifier.verify(alice.accessToken)).resolves.toBeDefined(); // B does not know yet
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 1_500);
    await expect(b.verifier.verify(alice.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
  });

  it('reaches an instance that missed the broadcast as soon as it resynchronizes (a reconnect)', async () => {
    const a = await instance();
    const b = await instance();
    const alice = await a.tokens.login('alice');
    await expect(b.verifier.verify(alice.accessToken)).resolves.toBeDefined();
    const listener = peers[1].listener!;
    peers[1].listener = undefined;
    await a.tokens.logoutEveryone();
    await expect(b.verifier.verify(alice.accessToken)).resolves.toBeDefined();
    listener.onResync();
    await expect(b.verifier.verify(alice.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
  });

  it('fails closed (503) while the cutoff cannot be read and the broadcaster is down', async () => {
    const a = await instance();
    const alice = await a.tokens.login('alice');
    peers[0].connected = false;
    jest.spyOn(versions, 'getRevokedBefore').mockRejectedValue(new Error('down'));
    await expect(a.verifier.verify(alice.accessToken)).rejects.toBeInstanceOf(RevocationUnavailableException);
  });

  it('answers 503 and announces nothing when the cutoff cannot be stored', async () => {
    const a = await instance();
    jest.spyOn(versions, 'setRevokedBefore').mockRejectedValue(new Error('down'));
    await expect(a.tokens.logoutEveryone()).rejects.toBeInstanceOf(RevocationUnavailableException);
    expect(events).toEqual([]);
  });

  it('needs a store that keeps a cutoff: a clear error otherwise, and nothing else changes', async () => {
    const plain: TokenVersionStore = { getVersion: (id) => versions.getVersion(id), incrementVersion: (id) => versions.incrementVersion(id) };
    const a = await instance({ tokenVersionStore: plain });
    const alice = await a.tokens.login('alice');
    await expect(a.tokens.logoutEveryone()).rejects.toThrow(JwtRevocationConfigError);
    await expect(a.tokens.logoutEveryone()).rejects.toThrow(/getRevokedBefore\(\) and setRevokedBefore\(at\)/);
    await expect(a.verifier.verify(alice.accessToken)).resolves.toMatchObject({ id: 'alice' });
  });
});
