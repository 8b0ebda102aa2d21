import { createHmac, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import type { JwtRevocationModuleOptions } from '../options/jwt-revocation-options.interface';
import type { ResolvedOptions } from '../options/resolved-options';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import { resolveOptions } from '../options/resolve-options';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import { AuthTokenService } from '../auth-token.service';
import { InvalidTokenException } from '../errors/bearer-auth.exceptions';
import type { VerificationKey } from '../keys/key-ring';
import { AccessTokenVerifier } from './access-token.verifier';
import { VerifiedTokenMemo } from './verified-token.memo';
import type { AuthenticatedUser } from './authenticated-user';

const K1 = 'memo-spec-secret-number-one-of-32-bytes-at-least';
const K2 = 'memo-spec-secret-number-two-of-32-bytes-at-least';
const TOLERANCE = 5;

interface Fixture {
  module: TestingModule;
  verifier: AccessTokenVerifier;
  options: ResolvedOptions;
  versions: InMemoryTokenVersionStore;
}

async function start(options: Partial<JwtRevocationModuleOptions> = {}): Promise<Fixture> {
  const module = await Test.createTestingModule({
    imports: [
      JwtRevocationTestingModule.forRoot({
        globalGuard: false,
        users: ['user-1'],
        options: {
          keys: [
            { kid: 'k1', algorithm: 'HS256', secret: K1 },
            { kid: 'k2', algorithm: 'HS256', secret: K2 },
          ],
          signingKeyId: 'k1',
          refreshTokenSecret: K1,
          clockTolerance: TOLERANCE,
          sessions: { purgeIntervalMs: 0 },
          ...options,
        },
      }),
    ],
  }).compile();
  await module.init();
  return {
    module,
    verifier: module.get(AccessTokenVerifier),
    options: module.get(RESOLVED_OPTIONS),
    versions: module.get(InMemoryTokenVersionStore),
  };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token as the library would sign it, with any claims the test wants (`nbf` included). */
function token(kid: string, secret: string, overrides: Record<string, unknown> = {}): string {
  const claims = { sub: 'user-1', ver: 0, typ: 'access', jti: randomUUID(), iat: nowSeconds(), exp: nowSeconds() + 900, ...overrides };
  const body = `${b64url({ alg: 'HS256', typ: 'at+jwt', kid })}.${b64url(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** Counts signature checks: a memo hit makes none. */
function countSignatureChecks(options: ResolvedOptions, kid: string): { count: () => number } {
  const key = options.keyRing.keyFor(kid) as VerificationKey & { verify: (t: string) => Record<string, unknown> };
  const spy = jest.spyOn(key, 'verify');
  return { count: () => spy.mock.calls.length };
}

/** Moves the clock the library reads (Date.now) by `seconds` from now on. */
function shiftClock(seconds: number): void {
  const real = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => real() + seconds * 1000);
}

describe('VerifiedTokenMemo in AccessTokenVerifier', () => {
  let f: Fixture;

  beforeEach(async () => {
    f = await start();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await f.module.close();
  });

  it('verifies a token once: the next use is a hit that checks no signature and returns the same user', async () => {
    const checks = countSignatureChecks(f.options, 'k1');
    const t = token('k1', K1);
    const first = await f.verifier.verify(t);
    const second = await f.verifier.verify(t);
    expect(checks.count()).toBe(1);
    expect(second).toEqual(first);
  });

  it('gives each request its own user object: changing one never reaches the next', async () => {
    const t = token('k1', K1, { roles: ['reader'] });
    const first = (await f.verifier.verify(t)) as AuthenticatedUser<{ roles?: string[]; extra?: number }>;
    first.claims.extra = 1;
    (first as { id: string }).id = 'someone-else';
    const second = (await f.verifier.verify(t)) as AuthenticatedUser<{ roles?: string[]; extra?: number }>;
    expect(second.id).toBe('user-1');
    expect(second.claims).toEqual({ roles: ['reader'] });
  });

  it('checks exp again on a hit: a memoized token expires on time', async () => {
    const t = token('k1', K1, { exp: nowSeconds() + 30 });
    await f.verifier.verify(t);
    shiftClock(30 + TOLERANCE + 1);
    await expect(f.verifier.verify(t)).rejects.toBeInstanceOf(InvalidTokenException);
  });

  it('checks nbf and iat again on a hit: a clock set back makes a memoized token not yet valid', async () => {
    const withNbf = token('k1', K1, { nbf: nowSeconds() });
    const plain = token('k1', K1);
    await f.verifier.verify(withNbf);
    await f.verifier.verify(plain);
    shiftClock(-(TOLERANCE + 60));
    await expect(f.verifier.verify(withNbf)).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(f.verifier.verify(plain)).rejects.toBeInstanceOf(InvalidTokenException); // iat now in the future
  });

  it('still runs the revocation check on a hit: a logout-all refuses the memoized token', async () => {
    const tokens = f.module.get(AuthTokenService);
    const { accessToken } = await tokens.login('user-1');
    await f.verifier.verify(accessToken);
    await tokens.logoutAll('user-1');
    await expect(f.verifier.verify(accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
  });

  it('never remembers a failure: a bad signature is checked (and refused) every time', async () => {
    const checks = countSignatureChecks(f.options, 'k1');
    const forged = token('k1', K2); // names k1, signed with another secret
    await expect(f.verifier.verify(forged)).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(f.verifier.verify(forged)).rejects.toBeInstanceOf(InvalidTokenException);
    expect(checks.count()).toBe(2);
  });

  it('a token differing from a memoized one by any single character is never a hit and is refused', async () => {
    const t = token('k1', K1);
    await f.verifier.verify(t);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < t.length; i++) {
      // Two replacements per position: the next character of the alphabet, and a flipped low bit.
      const next = alphabet[(alphabet.indexOf(t[i]) + 1) % alphabet.length];
      const flipped = String.fromCharCode(t.charCodeAt(i) ^ 1);
      for (const replacement of [next, flipped]) {
        const altered = t.slice(0, i) + replacement + t.slice(i + 1);
        await expect(f.verifier.verify(altered)).rejects.toBeInstanceOf(InvalidTokenException);
      }
    }
    await expect(f.verifier.verify(t)).resolves.toMatchObject({ id: 'user-1' });
  });

  it('drops every token when the key ring changes: a removed key keeps none of its tokens alive', async () => {
    const byOldKey = token('k2', K2);
    await f.verifier.verify(byOldKey);
    // The same app configured again without k2 (rotation finished): a new key ring.
    const { keyRing } = resolveOptions({
      keys: [{ kid: 'k1', algorithm: 'HS256', secret: K1 }],
      refreshTokenSecret: K1,
      tokenVersionStore: new InMemoryTokenVersionStore(),
      sessionStore: new InMemorySessionStore(),
    });
    (f.options as { keyRing: ResolvedOptions['keyRing'] }).keyRing = keyRing;
    // A verifier built on the new ring and the running one both refuse it.
    const verifier = new AccessTokenVerifier(f.options, (f.verifier as unknown as { revocation: never }).revocation);
    await expect(verifier.verify(byOldKey)).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(f.verifier.verify(byOldKey)).rejects.toBeInstanceOf(InvalidTokenException);
  });

  it('can be turned off: every use checks the signature', async () => {
    await f.module.close();
    f = await start({ verifiedTokens: { enabled: false } });
    const checks = countSignatureChecks(f.options, 'k1');
    const t = token('k1', K1);
    await f.verifier.verify(t);
    await f.verifier.verify(t);
    expect(checks.count()).toBe(2);
  });
});

describe('VerifiedTokenMemo', () => {
  const ring = {} as ResolvedOptions['keyRing'];
  const user = (id: string): AuthenticatedUser => ({ id, sessionId: undefined, tokenVersion: 0, tokenId: id, issuedAt: 0, expiresAt: 1, claims: {} });

  it('holds at most maxEntries tokens, the oldest out first', () => {
    const memo = new VerifiedTokenMemo({ maxEntries: 3, maxBytes: 1 << 20 });
    for (const t of ['a', 'b', 'c', 'd']) memo.remember(t, ring, user(t), -Infinity, 10);
    expect(memo.size).toBe(3);
    expect(memo.get('a', ring)).toBeUndefined();
    expect(memo.get('d', ring)?.user.id).toBe('d');
  });

  it('holds at most maxBytes, and never a token larger than that alone', () => {
    const memo = new VerifiedTokenMemo({ maxEntries: 1000, maxBytes: 2000 });
    for (let i = 0; i < 10; i++) memo.remember(`t${i}`.padEnd(100, 'x'), ring, user(String(i)), -Infinity, 200);
    expect(memo.byteSize).toBeLessThanOrEqual(2000);
    expect(memo.size).toBeGreaterThan(0);
    memo.remember('huge'.padEnd(5000, 'x'), ring, user('huge'), -Infinity, 0);
    expect(memo.get('huge'.padEnd(5000, 'x'), ring)).toBeUndefined();
  });

  it('empties itself when asked under another key ring', () => {
    const memo = new VerifiedTokenMemo({ maxEntries: 10, maxBytes: 1 << 20 });
    memo.remember('a', ring, user('a'), -Infinity, 10);
    const other = {} as ResolvedOptions['keyRing'];
    expect(memo.get('a', other)).toBeUndefined();
    expect(memo.size).toBe(0);
    expect(memo.byteSize).toBe(0);
  });
});
