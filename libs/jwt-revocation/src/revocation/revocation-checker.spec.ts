import { createHmac, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import type { JwtRevocationModuleOptions } from '../options/jwt-revocation-options.interface';
import { AccessTokenVerifier } from '../access-tokens/access-token.verifier';
import { RevocationChecker } from './revocation-checker';
import { AuthTokenService } from '../auth-token.service';
import { InMemoryTokenVersionStore } from './in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import { InvalidTokenException, RevocationUnavailableException } from '../errors/bearer-auth.exceptions';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { InvalidationChannel } from '../broadcast/invalidation-channel';
import { resolveOptions } from '../options/resolve-options';

const SECRET = 'checker-spec-secret-of-at-least-32-bytes!';

interface Fixture {
  module: TestingModule;
  verifier: AccessTokenVerifier;
  checker: RevocationChecker;
  tokens: AuthTokenService;
  versions: InMemoryTokenVersionStore;
  sessions: InMemorySessionStore;
}

async function start(options: Partial<JwtRevocationModuleOptions> = {}): Promise<Fixture> {
  const module = await Test.createTestingModule({
    imports: [
      JwtRevocationTestingModule.forRoot({ globalGuard: false, options: { secret: SECRET, sessions: { purgeIntervalMs: 0 }, ...options } }),
    ],
  }).compile();
  await module.init();
  return {
    module,
    verifier: module.get(AccessTokenVerifier),
    checker: module.get(RevocationChecker),
    tokens: module.get(AuthTokenService),
    versions: (options.tokenVersionStore as InMemoryTokenVersionStore | undefined) ?? module.get(InMemoryTokenVersionStore),
    sessions: (options.sessionStore as InMemorySessionStore | undefined) ?? module.get(InMemorySessionStore),
  };
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS signed with HMAC-SHA-`bits`: lets a test put anything in the header and the claims. */
function signed(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'at+jwt' }, bits = 256, secret = SECRET): string {
  const body = `${b64url(header)}.${b64url(claims)}`;
  return `${body}.${createHmac(`sha${bits}`, secret).update(body).digest('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'user-1', ver: 0, typ: 'access', jti: randomUUID(), iat: now(), exp: now() + 900, ...overrides };
}

/** A version store that can be made to fail, as a database outage would. */
class FlakyVersionStore extends InMemoryTokenVersionStore {
  down = false;
  override async getVersion(userId: string): Promise<number | null> {
    if (this.down) throw new Error('connection refused');
    return super.getVersion(userId);
  }
}

class FlakySessionStore extends InMemorySessionStore {
  down = false;
  override async find(sessionId: string) {
    if (this.down) throw new Error('connection refused');
    return super.find(sessionId);
  }
}

/** Counts the reads that reach it, and can hold them all open until released. */
class GatedVersionStore extends InMemoryTokenVersionStore {
  reads = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.gate = undefined;
    this.open?.();
  }
  override async getVersion(userId: string): Promise<number | null> {
    this.reads++;
    const version = await super.getVersion(userId);
    if (this.gate) await this.gate;
    return version;
  }
}

class CountingSessionStore extends InMemorySessionStore {
  finds = 0;
  override async find(sessionId: string) {
    this.finds++;
    return super.find(sessionId);
  }
}

/** A version store whose reads can be held after they have read, like a slow query. */
class SlowVersionStore extends InMemoryTokenVersionStore {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.gate = undefined;
    this.open?.();
  }
  override async getVersion(userId: string): Promise<number | null> {
    const version = await super.getVersion(userId);
    if (this.gate) await this.gate;
    return version;
  }
}

/** A broadcaster whose link to the other instances can be cut; while up it echoes to its own instance, as Redis does. */
class SwitchableBroadcaster implements RevocationBroadcaster {
  connected = true;
  private listener: InvalidationListener | undefined;
  async start(listener: InvalidationListener): Promise<void> {
    this.listener = listener;
  }
  async publish(message: InvalidationMessage): Promise<void> {
    if (this.connected) this.listener?.onInvalidate(message);
  }
  /** A message from another instance, as the transport would hand it on. */
  deliver(message: InvalidationMessage): void {
    this.listener?.onInvalidate({ ...message, from: 'another-instance', seq: ++this.seq });
  }
  private seq = 0;
  isConnected(): boolean {
    return this.connected;
  }
  async stop(): Promise<void> {}
}

describe('RevocationChecker', () => {
  const fixtures: Fixture[] = [];
  const startTracked = async (options: Partial<JwtRevocationModuleOptions> = {}) => {
    const fixture = await start(options);
    fixtures.push(fixture);
    fixture.versions.addUser('user-1');
    return fixture;
  };

  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((fixture) => fixture.module.close()));
  });

  describe('fails closed', () => {
    it('answers 503 with Retry-After when the version store cannot be read, and counts the refusal', async () => {
      const versions = new FlakyVersionStore();
      const f = await startTracked({ tokenVersionStore: versions, retryAfterSeconds: 7, cache: { enabled: false } });
      const token = signed(accessClaims());
      await expect(f.verifier.verify(token)).resolves.toMatchObject({ id: 'user-1' });
      expect(f.checker.metrics.failClosedRefusals).toBe(0);

      versions.down = true;
      const error = await f.verifier.verify(token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RevocationUnavailableException);
      expect((error as RevocationUnavailableException).getStatus()).toBe(503);
      expect((error as RevocationUnavailableException).headers).toEqual({ 'Retry-After': '7' });
      expect(JSON.stringify((error as RevocationUnavailableException).getResponse())).not.toContain('connection refused');
      expect(f.checker.metrics.failClosedRefusals).toBe(1);

      await f.verifier.verify(token).catch(() => undefined);
      expect(f.checker.metrics.failClosedRefusals).toBe(2);

      versions.down = false;
      await expect(f.verifier.verify(token)).resolves.toMatchObject({ id: 'user-1' });
    });

    it('answers 503 when the session store cannot be read', async () => {
      const sessions = new FlakySessionStore();
      const f = await startTracked({ sessionStore: sessions, cache: { enabled: false } });
      const pair = await f.tokens.login('user-1');
      sessions.down = true;
      await expect(f.verifier.verify(pair.accessToken)).rejects.toBeInstanceOf(RevocationUnavailableException);
      expect(f.checker.metrics.failClosedRefusals).toBe(1);
    });

    it('answers 503 for a token the cache cannot vouch for while the store is down', async () => {
      const versions = new FlakyVersionStore();
      const f = await startTracked({ tokenVersionStore: versions });
      versions.down = true;
      await expect(f.verifier.verify(signed(accessClaims()))).rejects.toBeInstanceOf(RevocationUnavailableException);
    });
  });

  describe('with the cache on (default)', () => {
    it('answers a repeated check from the cache and counts hits and misses', async () => {
      const f = await startTracked();
      const token = signed(accessClaims());
      await f.verifier.verify(token);
      expect(f.checker.metrics).toMatchObject({ cacheHits: 0, cacheMisses: 1, storeReads: 1 });
      await f.verifier.verify(token);
      await f.verifier.verify(token);
      expect(f.checker.metrics).toMatchObject({ cacheHits: 2, cacheMisses: 1, storeReads: 1 });
      expect(f.checker.cacheSize).toBe(1);
    });

    it('caches the session state too', async () => {
      const f = await startTracked();
      const pair = await f.tokens.login('user-1');
      await f.verifier.verify(pair.accessToken);
      expect(f.checker.metrics).toMatchObject({ cacheHits: 0, storeReads: 2 });
      await f.verifier.verify(pair.accessToken);
      expect(f.checker.metrics).toMatchObject({ cacheHits: 2, storeReads: 2 });
      expect(f.checker.cacheSize).toBe(2);
    });

    it('keeps answering from the cache after a change nobody announced, until it is invalidated', async () => {
      const f = await startTracked();
      const token = signed(accessClaims());
      await f.verifier.verify(token);
      await f.versions.incrementVersion('user-1'); // a write the checker was not told about
      await expect(f.verifier.verify(token)).resolves.toMatchObject({ id: 'user-1' });

      await f.checker.invalidate({ kind: 'user', userId: 'user-1' });
      await expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
    });

    it('sees a session invalidation immediately', async () => {
      const f = await startTracked();
      const pair = await f.tokens.login('user-1');
      await f.verifier.verify(pair.accessToken);
      await f.sessions.revoke('user-1', [pair.sessionId!], 'logout', Date.now());
      await f.checker.invalidate({ kind: 'sessions', sessionIds: [pair.sessionId!] });
      await expect(f.verifier.verify(pair.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
    });

    it('sees a revocation through AuthTokenService immediately', async () => {
      const f = await startTracked();
      const pair = await f.tokens.login('user-1');
      await f.verifier.verify(pair.accessToken);
      await f.verifier.verify(pair.accessToken);
      expect(f.checker.metrics.cacheHits).toBeGreaterThan(0);
      await f.tokens.logout({ id: 'user-1', sessionId: pair.sessionId });
      await expect(f.verifier.verify(pair.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
    });

    it('never caches a version read before an invalidation that landed while the read was in flight', async () => {
      const versions = new SlowVersionStore();
      const f = await startTracked({ tokenVersionStore: versions });
      const token = signed(accessClaims());

      versions.hold();
      const inFlight = f.verifier.verify(token); // reads version 0, then waits
      await new Promise((resolve) => setImmediate(resolve));
      await versions.incrementVersion('user-1');
      await f.checker.invalidate({ kind: 'user', userId: 'user-1' });
      versions.release();
      await expect(inFlight).resolves.toMatchObject({ id: 'user-1' }); // it began before the revocation

      await expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
    });

    it('never caches a version read before an invalidation that arrived from another instance while the read was in flight', async () => {
      const versions = new SlowVersionStore();
      const broadcaster = new SwitchableBroadcaster();
      const f = await startTracked({ tokenVersionStore: versions, broadcaster });
      const token = signed(accessClaims());

      versions.hold();
      const inFlight = f.verifier.verify(token); // reads version 0, then waits (a slow database)
      await new Promise((resolve) => setImmediate(resolve));
      await versions.incrementVersion('user-1'); // change-password on another instance...
      broadcaster.deliver({ kind: 'user', userId: 'user-1' }); // ...which tells this one
      versions.release();
      await expect(inFlight).resolves.toMatchObject({ id: 'user-1' }); // used once: it began before the revocation

      await expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
    });

    it('never caches a read that was in flight while trust in the channel was lost (the revocation message itself lost)', async () => {
      const versions = new SlowVersionStore();
      const broadcaster = new SwitchableBroadcaster();
      const f = await startTracked({ tokenVersionStore: versions, broadcaster });
      const channel = f.module.get(InvalidationChannel);
      const token = signed(accessClaims());

      versions.hold();
      const inFlight = f.verifier.verify(token);
      await new Promise((resolve) => setImmediate(resolve));
      broadcaster.connected = false; // the link goes down...
      expect(channel.isTrusted()).toBe(false);
      await versions.incrementVersion('user-1'); // ...a revocation elsewhere, whose message never comes...
      broadcaster.connected = true; // ...and the link is back before the slow read lands
      expect(channel.isTrusted()).toBe(true);
      versions.release();
      await expect(inFlight).resolves.toMatchObject({ id: 'user-1' });

      await expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
    });

    it('coalesces concurrent misses after a flush: 100 requests over 10 users cause 10 version and 10 session reads', async () => {
      const versions = new GatedVersionStore();
      const sessions = new CountingSessionStore();
      const f = await startTracked({ tokenVersionStore: versions, sessionStore: sessions });
      const users = Array.from({ length: 10 }, (_, i) => `user-${i}`);
      for (const user of users) versions.addUser(user);
      const pairs = await Promise.all(users.map((user) => f.tokens.login(user)));
      f.checker.clearCache(); // a resync or a reconnect
      const [versionReads, sessionReads] = [versions.reads, sessions.finds];

      versions.hold(); // every first read stays open until all 100 requests have arrived
      const requests = Array.from({ length: 100 }, (_, i) => f.verifier.verify(pairs[i % 10].accessToken));
      await new Promise((resolve) => setTimeout(resolve, 20));
      versions.release();
      await expect(Promise.all(requests)).resolves.toHaveLength(100);

      expect(versions.reads - versionReads).toBe(10);
      expect(sessions.finds - sessionReads).toBe(10);
    });

    it('does not share a read begun before an invalidation with a request that came after it', async () => {
      const versions = new GatedVersionStore();
      const f = await startTracked({ tokenVersionStore: versions });
      const token = signed(accessClaims());
      versions.hold();
      const before = f.verifier.verify(token);
      await new Promise((resolve) => setImmediate(resolve));
      await versions.incrementVersion('user-1');
      await f.checker.invalidate({ kind: 'user', userId: 'user-1' });
      const after = f.verifier.verify(token);
      versions.release();
      await expect(before).resolves.toMatchObject({ id: 'user-1' });
      await expect(after).rejects.toBeInstanceOf(InvalidTokenException);
    });

    it('strict: true reads the store and skips the cache', async () => {
      const f = await startTracked();
      const token = signed(accessClaims());
      await f.verifier.verify(token);
      await f.versions.incrementVersion('user-1');
      const readsBefore = f.checker.metrics.storeReads;
      await expect(f.verifier.verify(token, { strict: true })).rejects.toBeInstanceOf(InvalidTokenException);
      expect(f.checker.metrics.storeReads).toBe(readsBefore + 1);
      expect(f.checker.metrics.cacheHits).toBe(0);
    });

    it('does not trust the cache while the broadcaster is disconnected', async () => {
      const broadcaster = new SwitchableBroadcaster();
      const f = await startTracked({ broadcaster });
      const token = signed(accessClaims());
      await f.verifier.verify(token);
      await f.verifier.verify(token);
      expect(f.checker.metrics.cacheHits).toBe(1);
      await f.versions.incrementVersion('user-1'); // made on another instance; its message is lost
      broadcaster.connected = false;
      await expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
      expect(f.checker.metrics.cacheHits).toBe(1);
    });

    it('clearCache forgets everything', async () => {
      const f = await startTracked();
      await f.verifier.verify(signed(accessClaims()));
      expect(f.checker.cacheSize).toBe(1);
      f.checker.clearCache();
      expect(f.checker.cacheSize).toBe(0);
    });
  });

  describe('bounded store calls (storeTimeoutMs)', () => {
    it('answers 503 with Retry-After when a read does not answer in time, and works again when the store does', async () => {
      const versions = new GatedVersionStore();
      const f = await startTracked({ tokenVersionStore: versions, storeTimeoutMs: 100, retryAfterSeconds: 3 });
      const token = signed(accessClaims());
      versions.hold();
      const started = Date.now();
      const error = await f.verifier.verify(token).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error).toBeInstanceOf(RevocationUnavailableException);
      expect((error as RevocationUnavailableException).headers).toEqual({ 'Retry-After': '3' });
      versions.release();
      await expect(f.verifier.verify(token)).resolves.toMatchObject({ id: 'user-1' });
    });
  });

  describe('with the cache off', () => {
    it('reads the store on every check and sees every change', async () => {
      const f = await startTracked({ cache: { enabled: false } });
      const token = signed(accessClaims());
      await f.verifier.verify(token);
      await f.verifier.verify(token);
      expect(f.checker.metrics).toMatchObject({ cacheHits: 0, storeReads: 2 });
      expect(f.checker.cacheSize).toBe(0);
      await f.versions.incrementVersion('user-1');
      await expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
    });
  });

  describe('an ended session ends its access tokens', () => {
    let clock: jest.SpyInstance;
    let fixture: Fixture | undefined;
    const realNow = Date.now.bind(Date);
    let offsetMs = 0;
    beforeEach(() => {
      offsetMs = 0;
      clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
    });
    afterEach(async () => {
      clock.mockRestore();
      await fixture?.module.close();
    });
    const later = (seconds: number) => (offsetMs += seconds * 1000);

    it.each([
      ['absolute', { absoluteTtl: 60 }],
      ['idle', { absoluteTtl: 3600, idleTtl: 60 }],
    ])('refuses a token of a session past its %s expiry, cached or strict', async (_label, sessions) => {
      fixture = await start({ sessions: { purgeIntervalMs: 0, ...sessions } });
      fixture.versions.addUser('user-1');
      const pair = await fixture.tokens.login('user-1');
      await expect(fixture.verifier.verify(pair.accessToken)).resolves.toMatchObject({ sessionId: pair.sessionId }); // cached as live
      later(61); // the access token itself is still within its 900 s
      expect(await fixture.tokens.listSessions('user-1')).toEqual([]);
      await expect(fixture.verifier.verify(pair.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
      await expect(fixture.verifier.verify(pair.accessToken, { strict: true })).rejects.toBeInstanceOf(InvalidTokenException);
    });

    it('refuses it on a first read too (nothing cached)', async () => {
      fixture = await start({ sessions: { purgeIntervalMs: 0, absoluteTtl: 60 } });
      fixture.versions.addUser('user-1');
      const pair = await fixture.tokens.login('user-1');
      later(61);
      await expect(fixture.verifier.verify(pair.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
    });

    it('reads the store again when a cached idle expiry has passed, so a refreshed session stays live', async () => {
      fixture = await start({ sessions: { purgeIntervalMs: 0, absoluteTtl: 3600, idleTtl: 60 } });
      fixture.versions.addUser('user-1');
      const first = await fixture.tokens.login('user-1');
      await fixture.verifier.verify(first.accessToken); // cached: idle end at +60 s
      later(40);
      const second = await fixture.tokens.refresh(first.refreshToken); // idle end moves to +100 s
      later(30);
      await expect(fixture.verifier.verify(second.accessToken)).resolves.toMatchObject({ sessionId: first.sessionId });
      later(31);
      await expect(fixture.verifier.verify(second.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
    });
  });

  it('can be built directly, without Nest', async () => {
    const versions = new InMemoryTokenVersionStore();
    versions.addUser('user-1', 4);
    const sessions = new InMemorySessionStore();
    const options = resolveOptions({ secret: SECRET, tokenVersionStore: versions, sessionStore: sessions });
    const checker = new RevocationChecker(options, versions, InvalidationChannel.fromOptions(options), sessions);
    const verifier = new AccessTokenVerifier(options, checker);
    await expect(verifier.verify(signed(accessClaims({ ver: 4 })))).resolves.toMatchObject({ tokenVersion: 4 });
    await expect(checker.assertCurrent('user-1', 3, undefined)).rejects.toBeInstanceOf(InvalidTokenException);
  });
});
