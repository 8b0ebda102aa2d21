import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import type { InvalidationMessage } from '../broadcast/revocation-broadcaster.interface';
import { InvalidTokenException, RevocationUnavailableException } from '../errors/bearer-auth.exceptions';
import type { RevocationChecker } from '../revocation/revocation-checker';
import type { SessionStore } from '../sessions/session-store.interface';
import type { LiveCloseReason } from './live-close-reason';
import { LiveConnectionRegistry } from './live-connection.registry';
import { RevocationListeners } from './revocation-listeners';

/** Answers version checks from a map, as the store would; `down` makes it fail like an outage. */
class VersionsChecker {
  readonly current = new Map<string, number>();
  down = false;
  reads = 0;
  async assertCurrent(userId: string, version: number): Promise<void> {
    this.reads++;
    if (this.down) throw new RevocationUnavailableException(1);
    if (this.current.get(userId) !== version) throw new InvalidTokenException();
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const user = (id: string, sessionId: string | undefined, overrides: Partial<AuthenticatedUser> = {}): AuthenticatedUser => ({
  id,
  sessionId,
  tokenVersion: 0,
  tokenId: `${id}-${sessionId}`,
  issuedAt: nowSeconds(),
  expiresAt: nowSeconds() + 900,
  claims: {},
  ...overrides,
});

describe('LiveConnectionRegistry', () => {
  let listeners: RevocationListeners;
  let checker: VersionsChecker;
  let registry: LiveConnectionRegistry;
  let closed: Array<[string, LiveCloseReason]>;

  beforeEach(() => {
    listeners = new RevocationListeners();
    checker = new VersionsChecker();
    registry = new LiveConnectionRegistry(listeners, checker as unknown as RevocationChecker);
    registry.onModuleInit();
    closed = [];
  });

  afterEach(() => registry.onModuleDestroy());

  const open = (name: string, who: AuthenticatedUser) => registry.register(who, (reason) => closed.push([name, reason]));
  const revoke = (message: InvalidationMessage) => listeners.notify(message);
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('closes exactly the connections of the revoked sessions, once', () => {
    open('a1', user('alice', 's1'));
    open('a1-again', user('alice', 's1'));
    open('a2', user('alice', 's2'));
    open('b', user('bob', 's3'));
    revoke({ kind: 'sessions', sessionIds: ['s1', 's3'] });
    revoke({ kind: 'sessions', sessionIds: ['s1'] });
    expect(closed).toEqual([
      ['a1', 'session-revoked'],
      ['a1-again', 'session-revoked'],
      ['b', 'session-revoked'],
    ]);
    expect(registry.size).toBe(1);
    expect(registry.countOf('alice')).toBe(1);
  });

  it('on a user invalidation, closes the connections whose version is no longer current and keeps the rest', async () => {
    checker.current.set('alice', 1);
    open('old', user('alice', undefined, { tokenVersion: 0 }));
    open('old-too', user('alice', 's9', { tokenVersion: 0 }));
    open('new', user('alice', undefined, { tokenVersion: 1 }));
    open('bob', user('bob', undefined));
    revoke({ kind: 'user', userId: 'alice' });
    await settle();
    expect(closed).toEqual([
      ['old', 'tokens-revoked'],
      ['old-too', 'tokens-revoked'],
    ]);
    expect(checker.reads).toBe(2); // one read per distinct version, not per connection
    expect(registry.countOf('alice')).toBe(1);
  });

  it('says session-revoked for an outdated token whose session the store shows ended, whichever invalidation came first', async () => {
    registry.onModuleDestroy();
    const ended = new Set(['s-ended']);
    const sessions = { find: async (id: string) => ({ id, revokedAt: ended.has(id) ? 1 : null }) } as unknown as SessionStore;
    registry = new LiveConnectionRegistry(listeners, checker as unknown as RevocationChecker, sessions);
    registry.onModuleInit();
    checker.current.set('alice', 1);
    open('ended', user('alice', 's-ended'));
    open('kept', user('alice', 's-kept'));
    revoke({ kind: 'user', userId: 'alice' });
    await settle();
    await settle();
    expect(closed).toEqual([
      ['ended', 'session-revoked'],
      ['kept', 'tokens-revoked'],
    ]);
  });

  it('fails closed when the store cannot confirm a version after a user invalidation', async () => {
    open('a', user('alice', undefined));
    checker.down = true;
    revoke({ kind: 'user', userId: 'alice' });
    await settle();
    expect(closed).toEqual([['a', 'unverifiable']]);
  });

  it('on everyone-out, closes the connections whose token was issued before the cutoff', () => {
    const cutoff = nowSeconds();
    open('before', user('alice', 's1', { issuedAt: cutoff - 10 }));
    open('after', user('bob', 's2', { issuedAt: cutoff }));
    revoke({ kind: 'everyone', revokedBefore: cutoff });
    expect(closed).toEqual([['before', 'everyone-revoked']]);
  });

  it('forgets an unregistered connection, and one whose close throws does not stop the others', () => {
    const gone = open('gone', user('alice', 's1'));
    gone.unregister();
    gone.unregister();
    registry.register(user('alice', 's1'), () => {
      throw new Error('socket already gone');
    });
    open('next', user('alice', 's1'));
    revoke({ kind: 'sessions', sessionIds: ['s1'] });
    expect(closed).toEqual([['next', 'session-revoked']]);
    expect(registry.size).toBe(0);
  });

  it('after a resync (invalidations may have been missed), checks every connection against the store', async () => {
    checker.current.set('alice', 1);
    checker.current.set('bob', 0);
    open('outdated', user('alice', undefined, { tokenVersion: 0 }));
    open('current', user('alice', undefined, { tokenVersion: 1 }));
    open('bob', user('bob', undefined));
    listeners.notifyResync();
    await settle();
    expect(closed).toEqual([['outdated', 'tokens-revoked']]);
    expect(registry.size).toBe(2);
  });

  describe('expiry', () => {
    beforeEach(() => jest.useFakeTimers({ now: 1_800_000_000_000 }));
    afterEach(() => jest.useRealTimers());

    it('closes a connection when its token expires, unless it re-authenticated with a later token', () => {
      const expiresAt = nowSeconds() + 60;
      open('plain', user('alice', 's1', { expiresAt }));
      const renewed = open('renewed', user('alice', 's2', { expiresAt }));
      jest.advanceTimersByTime(30_000);
      renewed.reauthenticate(user('alice', 's3', { expiresAt: expiresAt + 60 }));
      jest.advanceTimersByTime(30_000);
      expect(closed).toEqual([['plain', 'expired']]);
      // Re-indexed under its new session: the old one no longer reaches it, the new one does.
      revoke({ kind: 'sessions', sessionIds: ['s2'] });
      expect(closed).toHaveLength(1);
      revoke({ kind: 'sessions', sessionIds: ['s3'] });
      expect(closed).toEqual([
        ['plain', 'expired'],
        ['renewed', 'session-revoked'],
      ]);
      jest.advanceTimersByTime(120_000);
      expect(closed).toHaveLength(2); // a closed connection's timer is gone
    });

    it('refuses a re-authentication as another user', () => {
      const connection = open('a', user('alice', 's1'));
      expect(() => connection.reauthenticate(user('mallory', 's1'))).toThrow(InvalidTokenException);
      expect(registry.countOf('alice')).toBe(1);
    });
  });
});
