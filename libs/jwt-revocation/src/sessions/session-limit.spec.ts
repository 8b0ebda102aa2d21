import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationModule } from '../jwt-revocation.module';
import type { JwtRevocationModuleOptions, SessionOptions } from '../options/jwt-revocation-options.interface';
import { AuthTokenService } from '../auth-token.service';
import { AccessTokenVerifier } from '../access-tokens/access-token.verifier';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InMemorySessionStore } from './in-memory-session.store';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { InvalidTokenException } from '../errors/bearer-auth.exceptions';
import { InvalidRefreshTokenException } from '../errors/invalid-refresh-token.exception';
import { SessionLimitException } from '../errors/session-limit.exception';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import type { RevocationEvent } from '../events/revocation-event';

const SECRET = 'session-limit-spec-secret-of-32-bytes!!';

/** Delivers every published invalidation to the other instances, as Redis would. */
class LinkedBroadcaster implements RevocationBroadcaster {
  private listener: InvalidationListener | undefined;
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
    return true;
  }
  async stop(): Promise<void> {}
}

interface Instance {
  module: TestingModule;
  tokens: AuthTokenService;
  verifier: AccessTokenVerifier;
}

describe('session limits (sessions.maxPerUser)', () => {
  let versions: InMemoryTokenVersionStore;
  let sessions: InMemorySessionStore;
  let peers: LinkedBroadcaster[];
  let events: RevocationEvent[];
  const instances: Instance[] = [];

  async function instance(sessionOptions: SessionOptions, extra: Partial<JwtRevocationModuleOptions> = {}): Promise<Instance> {
    const module = await Test.createTestingModule({
      imports: [
        JwtRevocationModule.forRoot({
          secret: SECRET,
          issuer: 'spec',
          audience: 'spec',
          tokenVersionStore: versions,
          sessionStore: sessions,
          sessions: { purgeIntervalMs: 0, ...sessionOptions },
          broadcaster: new LinkedBroadcaster(peers),
          onRevocation: (event) => {
            events.push(event);
          },
          globalGuard: false,
          ...extra,
        }),
      ],
    }).compile();
    await module.init();
    const created = { module, tokens: module.get(AuthTokenService), verifier: module.get(AccessTokenVerifier) };
    instances.push(created);
    return created;
  }

  beforeEach(() => {
    versions = new InMemoryTokenVersionStore();
    versions.addUser('alice');
    versions.addUser('bob');
    sessions = new InMemorySessionStore();
    peers = [];
    events = [];
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    while (instances.length > 0) await instances.pop()!.module.close();
  });

  it('is off by default: any number of sessions', async () => {
    const a = await instance({});
    for (let i = 0; i < 5; i++) await a.tokens.login('alice');
    expect(await a.tokens.listSessions('alice')).toHaveLength(5);
  });

  it('revoke-oldest (default): a login beyond the cap ends the least recently used session, its tokens refused at once on every instance', async () => {
    const a = await instance({ maxPerUser: 2 });
    const b = await instance({ maxPerUser: 2 });
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now');
    clock.mockReturnValue(now);
    const first = await a.tokens.login('alice', { userAgent: 'first' });
    clock.mockReturnValue(now + 1000);
    const second = await a.tokens.login('alice', { userAgent: 'second' });
    // The first is used again later (a refresh): the second becomes the least recently used.
    clock.mockReturnValue(now + 2000);
    const firstRefreshed = await a.tokens.refresh(first.refreshToken);
    // Instance B has both sessions cached as live.
    await expect(b.verifier.verify(firstRefreshed.accessToken)).resolves.toMatchObject({ sessionId: first.sessionId });
    await expect(b.verifier.verify(second.accessToken)).resolves.toMatchObject({ sessionId: second.sessionId });

    clock.mockReturnValue(now + 3000);
    const third = await a.tokens.login('alice', { userAgent: 'third' });
    expect((await a.tokens.listSessions('alice')).map((s) => s.userAgent).sort()).toEqual(['first', 'third']);
    await expect(b.verifier.verify(second.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(a.verifier.verify(second.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(a.tokens.refresh(second.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenException);
    await expect(b.verifier.verify(firstRefreshed.accessToken)).resolves.toMatchObject({ id: 'alice' });
    await expect(b.verifier.verify(third.accessToken)).resolves.toMatchObject({ id: 'alice' });
    expect(events).toContainEqual(expect.objectContaining({ type: 'session-revoked', userId: 'alice', sessionIds: [second.sessionId] }));
    expect((await sessions.find(second.sessionId!))!.revokeReason).toBe('session-limit');
  });

  it('"one device only" (maxPerUser 1): each login ends the previous device, other users untouched', async () => {
    const a = await instance({ maxPerUser: 1 });
    const bob = await a.tokens.login('bob');
    const phone = await a.tokens.login('alice');
    const laptop = await a.tokens.login('alice');
    await expect(a.verifier.verify(phone.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(a.verifier.verify(laptop.accessToken)).resolves.toMatchObject({ id: 'alice' });
    await expect(a.verifier.verify(bob.accessToken)).resolves.toMatchObject({ id: 'bob' });
  });

  it("refuse: a login beyond the cap fails with 409 session_limit and changes nothing", async () => {
    const a = await instance({ maxPerUser: 2, onLimit: 'refuse' });
    const first = await a.tokens.login('alice');
    const second = await a.tokens.login('alice');
    const before = sessions.size;
    const error = await a.tokens.login('alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionLimitException);
    expect((error as SessionLimitException).getStatus()).toBe(409);
    expect((error as SessionLimitException).getResponse()).toEqual({
      statusCode: 409,
      error: 'session_limit',
      message: 'This account already has 2 active sessions, the most allowed; log out on another device first',
    });
    expect(sessions.size).toBe(before);
    await expect(a.verifier.verify(first.accessToken)).resolves.toMatchObject({ id: 'alice' });
    await expect(a.verifier.verify(second.accessToken)).resolves.toMatchObject({ id: 'alice' });
    expect(events).toEqual([]);
    // After a logout there is room again.
    await a.tokens.logout({ id: 'alice', sessionId: first.sessionId });
    await expect(a.tokens.login('alice')).resolves.toMatchObject({ sessionId: expect.any(String) });
  });

  it('refuse: concurrent logins never leave the user over the cap', async () => {
    const a = await instance({ maxPerUser: 1, onLimit: 'refuse' });
    const results = await Promise.allSettled([a.tokens.login('alice'), a.tokens.login('alice'), a.tokens.login('alice')]);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof SessionLimitException)).toBe(true);
    expect((await a.tokens.listSessions('alice')).length).toBeLessThanOrEqual(1);
  });

  it('refuses a bad maxPerUser or onLimit at startup', async () => {
    await expect(instance({ maxPerUser: -1 })).rejects.toThrow(JwtRevocationConfigError);
    await expect(instance({ maxPerUser: 1.5 })).rejects.toThrow(/sessions.maxPerUser must be an integer >= 0/);
    await expect(instance({ onLimit: 'kick' as never })).rejects.toThrow(/sessions.onLimit "kick" is not an action. Use 'revoke-oldest' or 'refuse'/);
  });
});
