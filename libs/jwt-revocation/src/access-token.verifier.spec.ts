import { createHmac, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationModule } from './jwt-revocation.module';
import type { JwtRevocationModuleOptions } from './jwt-revocation.options';
import { AccessTokenVerifier } from './access-token.verifier';
import { RevocationChecker } from './revocation-checker';
import { AuthTokenService } from './auth-token.service';
import { InMemoryTokenVersionStore } from './stores/memory/in-memory-token-version.store';
import { InMemorySessionStore } from './stores/memory/in-memory-session.store';
import { InvalidTokenException, RevocationUnavailableException } from './errors/bearer-auth.exceptions';
import { LocalRevocationBroadcaster, type RevocationBroadcaster } from './cache/revocation-broadcaster.interface';
import { resolveOptions } from './resolved-options';

const SECRET = 'verifier-spec-secret-of-at-least-32-bytes';

interface Fixture {
  module: TestingModule;
  verifier: AccessTokenVerifier;
  checker: RevocationChecker;
  tokens: AuthTokenService;
  versions: InMemoryTokenVersionStore;
  sessions: InMemorySessionStore;
}

async function start(options: Partial<JwtRevocationModuleOptions> = {}): Promise<Fixture> {
  const versions = new InMemoryTokenVersionStore();
  const sessions = new InMemorySessionStore();
  const module = await Test.createTestingModule({
    imports: [
      JwtRevocationModule.forRoot({
        secret: SECRET,
        tokenVersionStore: versions,
        sessionStore: sessions,
        sessions: { purgeIntervalMs: 0 },
        globalGuard: false,
        ...options,
      }),
    ],
  }).compile();
  await module.init();
  return {
    module,
    verifier: module.get(AccessTokenVerifier),
    checker: module.get(RevocationChecker),
    tokens: module.get(AuthTokenService),
    versions: (options.tokenVersionStore as InMemoryTokenVersionStore | undefined) ?? versions,
    sessions: (options.sessionStore as InMemorySessionStore | undefined) ?? sessions,
  };
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS signed with HMAC-SHA-`bits`: lets a test put anything in the header and the claims. */
function signed(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }, bits = 256, secret = SECRET): string {
  const body = `${b64url(header)}.${b64url(claims)}`;
  return `${body}.${createHmac(`sha${bits}`, secret).update(body).digest('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'user-1', ver: 0, typ: 'access', jti: randomUUID(), iat: now(), exp: now() + 900, ...overrides };
}
function without(claims: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...claims };
  delete copy[name];
  return copy;
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

/** A broadcaster whose link to the other instances can be cut. */
class SwitchableBroadcaster implements RevocationBroadcaster {
  connected = true;
  async start(): Promise<void> {}
  async publish(): Promise<void> {}
  isConnected(): boolean {
    return this.connected;
  }
  async stop(): Promise<void> {}
}

describe('AccessTokenVerifier', () => {
  let f: Fixture;

  beforeEach(async () => {
    f = await start();
    f.versions.addUser('user-1');
  });

  afterEach(async () => {
    await f.module.close();
  });

  describe('accepts', () => {
    it('a valid token and returns the user it names', async () => {
      const claims = accessClaims();
      await expect(f.verifier.verify(signed(claims))).resolves.toEqual({
        id: 'user-1',
        sessionId: undefined,
        tokenVersion: 0,
        tokenId: claims.jti,
        issuedAt: claims.iat,
        expiresAt: claims.exp,
      });
    });

    it('a token issued by AuthTokenService, with its session', async () => {
      const pair = await f.tokens.login('user-1');
      const user = await f.verifier.verify(pair.accessToken);
      expect(user).toMatchObject({ id: 'user-1', sessionId: pair.sessionId, tokenVersion: 0 });
    });

    it('a numeric sub, as a string id', async () => {
      f.versions.addUser(42);
      await expect(f.verifier.verify(signed(accessClaims({ sub: 42 })))).resolves.toMatchObject({ id: '42' });
    });

    it('the current version after it was raised', async () => {
      f.versions.addUser('user-1', 7);
      await expect(f.verifier.verify(signed(accessClaims({ ver: 7 })))).resolves.toMatchObject({ tokenVersion: 7 });
    });

    it('a token expired by less than clockTolerance', async () => {
      await expect(f.verifier.verify(signed(accessClaims({ iat: now() - 100, exp: now() - 2 })))).resolves.toMatchObject({ id: 'user-1' });
    });
  });

  describe('refuses with InvalidTokenException', () => {
    const refused = async (token: string) => {
      await expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
    };

    it('a token carrying an older version', async () => {
      f.versions.addUser('user-1', 1);
      await refused(signed(accessClaims({ ver: 0 })));
    });

    it('a token carrying a version from the future', async () => {
      await refused(signed(accessClaims({ ver: 1 })));
    });

    it('a token for a user the store does not know', async () => {
      await refused(signed(accessClaims({ sub: 'nobody' })));
    });

    it('a token for a user removed since', async () => {
      const token = signed(accessClaims());
      await f.verifier.verify(token);
      f.versions.removeUser('user-1');
      await f.checker.invalidate({ kind: 'user', userId: 'user-1' });
      await refused(token);
    });

    it('a token of a revoked session', async () => {
      const pair = await f.tokens.login('user-1');
      await f.sessions.revoke('user-1', [pair.sessionId!], 'logout', Date.now());
      await refused(pair.accessToken);
    });

    it('a token naming a session that does not exist', async () => {
      await refused(signed(accessClaims({ sid: randomUUID() })));
    });

    it("a token naming another user's session", async () => {
      f.versions.addUser('user-2');
      const pair = await f.tokens.login('user-2');
      await refused(signed(accessClaims({ sid: pair.sessionId })));
    });

    it.each([['refresh'], ['id'], [undefined], ['ACCESS']])('a token whose typ is %p', async (typ) => {
      await refused(signed(typ === undefined ? without(accessClaims(), 'typ') : accessClaims({ typ })));
    });

    it('a token without exp', async () => {
      await refused(signed(without(accessClaims(), 'exp')));
    });

    it('an expired token', async () => {
      await refused(signed(accessClaims({ iat: now() - 1000, exp: now() - 60 })));
    });

    it.each([['a string', '9999999999'], ['a fraction', now() + 900.5]])('a token whose exp is %s', async (_label, exp) => {
      await refused(signed(accessClaims({ exp })));
    });

    it('a token issued in the future', async () => {
      await refused(signed(accessClaims({ iat: now() + 600, exp: now() + 1500 })));
    });

    it('a token without iat', async () => {
      await refused(signed(without(accessClaims(), 'iat')));
    });

    it.each([['missing', undefined], ['negative', -1], ['fractional', 0.5], ['a string', '0']])('a version claim that is %s', async (_label, ver) => {
      await refused(signed(ver === undefined ? without(accessClaims(), 'ver') : accessClaims({ ver })));
    });

    it.each([['missing', undefined], ['empty', ''], ['too long', 'x'.repeat(65)], ['a number', 1]])('a jti that is %s', async (_label, jti) => {
      await refused(signed(jti === undefined ? without(accessClaims(), 'jti') : accessClaims({ jti })));
    });

    it.each([['missing', undefined], ['empty', ''], ['too long', 'u'.repeat(256)], ['an object', { id: 1 }], ['a fraction', 1.5]])(
      'a sub that is %s',
      async (_label, sub) => {
        await refused(signed(sub === undefined ? without(accessClaims(), 'sub') : accessClaims({ sub })));
      },
    );

    it('a token whose header alg differs from the key, even when correctly signed with that alg', async () => {
      await refused(signed(accessClaims(), { alg: 'HS512', typ: 'JWT' }, 512));
      await refused(signed(accessClaims(), { alg: 'HS384', typ: 'JWT' }, 384));
    });

    it.each(['none', 'None', 'NONE', 'nOnE', 'hs256'])('a token with alg %p', async (alg) => {
      await refused(signed(accessClaims(), { alg, typ: 'JWT' }));
    });

    it('a token without alg', async () => {
      await refused(signed(accessClaims(), { typ: 'JWT' }));
    });

    it.each(['jwk', 'jku', 'x5u', 'x5c', 'crit'])('a correctly signed token whose header carries %p', async (param) => {
      const claims = accessClaims();
      // The same token without the parameter passes: the header check alone refuses it.
      await expect(f.verifier.verify(signed(claims))).resolves.toMatchObject({ id: 'user-1' });
      const value = param === 'crit' ? ['exp'] : param === 'jwk' ? { kty: 'oct', k: b64url(SECRET) } : param === 'x5c' ? ['MIIB'] : 'https://evil.example/keys';
      await refused(signed(claims, { alg: 'HS256', typ: 'JWT', [param]: value }));
    });

    it('a token naming a kid the ring does not hold', async () => {
      await refused(signed(accessClaims(), { alg: 'HS256', typ: 'JWT', kid: 'other' }));
    });

    it('a token signed with another secret', async () => {
      await refused(signed(accessClaims(), undefined, 256, 'another-secret-that-is-also-32-bytes-long'));
    });

    it('a token whose payload was changed after signing', async () => {
      const [header, , signature] = signed(accessClaims()).split('.');
      await refused(`${header}.${b64url(accessClaims({ sub: 'admin' }))}.${signature}`);
    });

    it.each([
      ['a header that is not JSON', `${b64url('not json')}.${b64url(accessClaims())}.c2ln`],
      ['a header that is an array', `${b64url([1])}.${b64url(accessClaims())}.c2ln`],
      ['a payload that is not an object', signed(['user-1'] as unknown as Record<string, unknown>)],
      ['a longer token than maxTokenLength', signed(accessClaims({ pad: 'p'.repeat(5000) }))],
      ['characters outside base64url', `${signed(accessClaims())}=`],
    ])('%s', async (_label, token) => {
      await refused(token);
    });

    it('the same way whatever failed, so nothing tells the checks apart', async () => {
      const bodies = await Promise.all(
        [signed(accessClaims({ ver: 3 })), signed(accessClaims({ typ: 'refresh' })), signed(accessClaims(), { alg: 'none' })].map((token) =>
          f.verifier.verify(token).then(
            () => 'accepted',
            (error: InvalidTokenException) => JSON.stringify({ status: error.getStatus(), body: error.getResponse(), headers: error.headers }),
          ),
        ),
      );
      expect(bodies[0]).not.toBe('accepted');
      expect(new Set(bodies).size).toBe(1);
    });
  });

  it('refuses a token that names a session when sessions are off', async () => {
    await f.module.close();
    f = await start({ sessions: false });
    f.versions.addUser('user-1');
    await expect(f.verifier.verify(signed(accessClaims()))).resolves.toMatchObject({ id: 'user-1' });
    await expect(f.verifier.verify(signed(accessClaims({ sid: randomUUID() })))).rejects.toBeInstanceOf(InvalidTokenException);
  });

  it('reads the version from the claim named by versionClaim', async () => {
    await f.module.close();
    f = await start({ versionClaim: 'tv' });
    f.versions.addUser('user-1', 2);
    await expect(f.verifier.verify(signed(accessClaims({ tv: 2, ver: 99 })))).resolves.toMatchObject({ tokenVersion: 2 });
    await expect(f.verifier.verify(signed(accessClaims({ ver: 2 })))).rejects.toBeInstanceOf(InvalidTokenException);
  });

  it('checks issuer and audience when configured', async () => {
    await f.module.close();
    f = await start({ issuer: 'https://auth.example', audience: 'api' });
    f.versions.addUser('user-1');
    const good = accessClaims({ iss: 'https://auth.example', aud: 'api' });
    await expect(f.verifier.verify(signed(good))).resolves.toMatchObject({ id: 'user-1' });
    await expect(f.verifier.verify(signed({ ...good, iss: 'https://evil.example' }))).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(f.verifier.verify(signed({ ...good, aud: 'web' }))).rejects.toBeInstanceOf(InvalidTokenException);
  });

  // `issuer` / `audience` are documented as "Expected and issued": a token without the claim is not from that issuer.
  it.each(['iss', 'aud'])('refuses a token without %s when it is configured', async (claim) => {
    await f.module.close();
    f = await start({ issuer: 'https://auth.example', audience: 'api' });
    f.versions.addUser('user-1');
    const good = accessClaims({ iss: 'https://auth.example', aud: 'api' });
    await expect(f.verifier.verify(signed(good))).resolves.toMatchObject({ id: 'user-1' });
    await expect(f.verifier.verify(signed(without(good, claim)))).rejects.toBeInstanceOf(InvalidTokenException);
  });

  it('verifyStateless checks signature and claims but not revocation', async () => {
    const stale = signed(accessClaims({ ver: 5 }));
    expect(f.verifier.verifyStateless(stale)).toMatchObject({ id: 'user-1', tokenVersion: 5 });
    await expect(f.verifier.verify(stale)).rejects.toBeInstanceOf(InvalidTokenException);
    expect(() => f.verifier.verifyStateless(signed(accessClaims({ typ: 'refresh' })))).toThrow(InvalidTokenException);
  });
});

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
      await f.versions.incrementVersion('user-1'); // made on another instance; its message is lost
      broadcaster.connected = false;
      await expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
      expect(f.checker.metrics.cacheHits).toBe(0);
    });

    it('clearCache forgets everything', async () => {
      const f = await startTracked();
      await f.verifier.verify(signed(accessClaims()));
      expect(f.checker.cacheSize).toBe(1);
      f.checker.clearCache();
      expect(f.checker.cacheSize).toBe(0);
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

  it('can be built directly, without Nest', async () => {
    const versions = new InMemoryTokenVersionStore();
    versions.addUser('user-1', 4);
    const options = resolveOptions({ secret: SECRET, tokenVersionStore: versions });
    const checker = new RevocationChecker(options, versions, new LocalRevocationBroadcaster(), new InMemorySessionStore());
    const verifier = new AccessTokenVerifier(options, checker);
    await expect(verifier.verify(signed(accessClaims({ ver: 4 })))).resolves.toMatchObject({ tokenVersion: 4 });
    await expect(checker.assertCurrent('user-1', 3, undefined)).rejects.toBeInstanceOf(InvalidTokenException);
  });
});
