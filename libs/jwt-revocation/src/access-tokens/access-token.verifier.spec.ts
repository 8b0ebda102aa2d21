import { createHmac, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import type { JwtRevocationModuleOptions } from '../options/jwt-revocation-options.interface';
import { AccessTokenVerifier } from './access-token.verifier';
import { RevocationChecker } from '../revocation/revocation-checker';
import { AuthTokenService } from '../auth-token.service';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import { InvalidTokenException } from '../errors/bearer-auth.exceptions';

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
function without(claims: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...claims };
  delete copy[name];
  return copy;
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
        claims: {},
      });
    });

    it('returns the app claims beside the library\'s; a payload with a "__proto__" key is refused', async () => {
      const claims = { ...accessClaims(), roles: ['admin'], tenant: { id: 7 } };
      const user = await f.verifier.verify(signed(claims));
      expect(user.claims).toEqual({ roles: ['admin'], tenant: { id: 7 } });
      const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' }));
      const payload = b64url(JSON.stringify(accessClaims()).replace(/^\{/, '{"__proto__":{"isAdmin":true},'));
      const token = `${header}.${payload}.${b64url(createHmac('sha256', SECRET).update(`${header}.${payload}`).digest())}`;
      await expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
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
      await refused(signed(accessClaims(), { alg: 'HS512', typ: 'at+jwt' }, 512));
      await refused(signed(accessClaims(), { alg: 'HS384', typ: 'at+jwt' }, 384));
    });

    it.each(['none', 'None', 'NONE', 'nOnE', 'hs256'])('a token with alg %p', async (alg) => {
      await refused(signed(accessClaims(), { alg, typ: 'at+jwt' }));
    });

    it('a token without alg', async () => {
      await refused(signed(accessClaims(), { typ: 'at+jwt' }));
    });

    it.each(['jwk', 'jku', 'x5u', 'x5c', 'crit'])('a correctly signed token whose header carries %p', async (param) => {
      const claims = accessClaims();
      // The same token without the parameter passes: the header check alone refuses it.
      await expect(f.verifier.verify(signed(claims))).resolves.toMatchObject({ id: 'user-1' });
      const value = param === 'crit' ? ['exp'] : param === 'jwk' ? { kty: 'oct', k: b64url(SECRET) } : param === 'x5c' ? ['MIIB'] : 'https://evil.example/keys';
      await refused(signed(claims, { alg: 'HS256', typ: 'at+jwt', [param]: value }));
    });

    it.each([['missing', undefined], ['JWT', 'JWT'], ['an array', ['at+jwt']], ['application/jwt', 'application/jwt'], ['at+jwt with a suffix', 'at+jwt; x']])(
      'RFC 9068: a correctly signed token whose header typ is %s',
      async (_label, typ) => {
        const claims = accessClaims();
        await expect(f.verifier.verify(signed(claims))).resolves.toMatchObject({ id: 'user-1' });
        await refused(signed(claims, typ === undefined ? { alg: 'HS256' } : { alg: 'HS256', typ }));
      },
    );

    it.each(['at+jwt', 'AT+JWT', 'application/at+jwt'])('RFC 9068 / RFC 8725 §3.11: accepts the header typ %p', async (typ) => {
      await expect(f.verifier.verify(signed(accessClaims(), { alg: 'HS256', typ }))).resolves.toMatchObject({ id: 'user-1' });
    });

    it('a token naming a kid the ring does not hold', async () => {
      await refused(signed(accessClaims(), { alg: 'HS256', typ: 'at+jwt', kid: 'other' }));
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
