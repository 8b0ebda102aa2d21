import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JwtModuleOptions } from '@nestjs/jwt';
import { resolveOptions } from './resolve-options';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import type { JwtRevocationModuleOptions } from './jwt-revocation-options.interface';

const SECRET = 'an-app-secret-of-at-least-32-bytes!!';
// HS384 needs 48 bytes; a repeated secret is refused as guessable.
const HS384_SECRET = randomBytes(48).toString('base64url');
const stores = () => ({ tokenVersionStore: new InMemoryTokenVersionStore(), sessionStore: new InMemorySessionStore() });
const resolveJwt = (jwt: JwtModuleOptions, extra: Partial<JwtRevocationModuleOptions> = {}) => resolveOptions({ jwt, ...stores(), ...extra });
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

function refusal(jwt: unknown, extra: Partial<JwtRevocationModuleOptions> = {}): string {
  try {
    resolveJwt(jwt as JwtModuleOptions, extra);
  } catch (error) {
    expect(error).toBeInstanceOf(JwtRevocationConfigError);
    return (error as Error).message;
  }
  throw new Error('the options were accepted');
}

describe('the `jwt` option (an app\'s JwtModule options)', () => {
  it('maps secret, signOptions and verifyOptions onto the library options', () => {
    const resolved = resolveJwt({
      global: true,
      secret: HS384_SECRET,
      signOptions: { algorithm: 'HS384', expiresIn: '10m', issuer: 'https://auth.example', audience: 'api' },
      verifyOptions: { algorithms: ['HS384'], issuer: 'https://auth.example', audience: ['api'], clockTolerance: 10 },
    });
    expect(resolved.keyRing.signingAlgorithm).toBe('HS384');
    expect(resolved.accessTokenTtl).toBe(600);
    expect(resolved.issuer).toBe('https://auth.example');
    expect(resolved.audience).toBe('api');
    expect(resolved.clockTolerance).toBe(10);
    const token = resolved.keyRing.signToken({ sub: 'u1', iat: 1_000 });
    expect(payloadOf(token)).toMatchObject({ iss: 'https://auth.example', aud: 'api', iat: 1_000, exp: 1_600 });
  });

  it.each([
    [900, 900],
    ['15m', 900],
    ['1h', 3600],
    ['2 days', 172_800],
    ['30s', 30],
  ])('reads expiresIn %p as %p seconds', (expiresIn, seconds) => {
    expect(resolveJwt({ secret: SECRET, signOptions: { expiresIn: expiresIn as never } }).accessTokenTtl).toBe(seconds);
  });

  it('refuses an expiresIn jsonwebtoken would read as milliseconds', () => {
    expect(refusal({ secret: SECRET, signOptions: { expiresIn: '900' } })).toMatch(/expiresIn "900".*milliseconds/);
    expect(refusal({ secret: SECRET, signOptions: { expiresIn: '500ms' } })).toMatch(/expiresIn "500ms"/);
  });

  it('takes privateKey/publicKey with the algorithm and keyid, and signs with them', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const resolved = resolveJwt(
      { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey, signOptions: { algorithm: 'ES256', keyid: 'k1' } },
      { refreshTokenSecret: SECRET },
    );
    const token = resolved.keyRing.signToken({ sub: 'u1', iat: Math.floor(Date.now() / 1000) });
    expect(headerOf(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
    expect(resolved.keyRing.keyFor('k1')!.verify(token)).toMatchObject({ sub: 'u1' });
  });

  it('signs EdDSA too (with node:crypto: jsonwebtoken cannot)', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const resolved = resolveJwt({ privateKey, signOptions: { algorithm: 'EdDSA' as never } }, { refreshTokenSecret: SECRET });
    const token = resolved.keyRing.signToken({ sub: 'u1', iat: Math.floor(Date.now() / 1000) });
    expect(headerOf(token)).toEqual({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(resolved.keyRing.keyFor(undefined)!.verify(token)).toMatchObject({ sub: 'u1' });
  });

  it('keeps refresh tokens keyed by the secret when a keyid forces a key list', () => {
    const withKid = resolveJwt({ secret: SECRET, signOptions: { keyid: 'hs-1' } });
    const withoutKid = resolveJwt({ secret: SECRET });
    expect(withKid.keyRing.signingKid).toBe('hs-1');
    expect(withKid.sessions && withKid.sessions.refreshTokenKey).toEqual(withoutKid.sessions && withoutKid.sessions.refreshTokenKey);
  });

  it.each<[string, unknown, RegExp]>([
    ['secretOrKeyProvider', { secretOrKeyProvider: () => SECRET }, /secretOrKeyProvider.*known at startup/],
    ['secretOrPrivateKey', { secretOrPrivateKey: SECRET }, /secretOrPrivateKey.*rename it `secret`/],
    ['algorithm none', { secret: SECRET, signOptions: { algorithm: 'none' } }, /"none" is never accepted/],
    ['none among the verify algorithms', { secret: SECRET, verifyOptions: { algorithms: ['none'] } }, /"none" is never accepted/],
    ['several verify algorithms', { secret: SECRET, verifyOptions: { algorithms: ['HS256', 'RS256'] } }, /not exactly one algorithm/],
    ['sign and verify algorithms that differ', { secret: SECRET, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS512'] } }, /signs with HS256 but verifies HS512/],
    ['a secret with an asymmetric algorithm', { secret: SECRET, signOptions: { algorithm: 'RS256' } }, /cannot sign RS256/],
    ['a private key without algorithm', { privateKey: generateKeyPairSync('ed25519').privateKey }, /without an algorithm/],
    ['no key at all', { signOptions: { expiresIn: 60 } }, /no `secret` and no `privateKey`/],
    ['a short secret', { secret: 'short' }, /secret is 5 bytes/],
    ['ignoreExpiration', { secret: SECRET, verifyOptions: { ignoreExpiration: true } }, /ignoreExpiration.*must expire/],
    ['maxAge', { secret: SECRET, verifyOptions: { maxAge: '1h' } }, /maxAge/],
    ['notBefore', { secret: SECRET, signOptions: { notBefore: 10 } }, /notBefore/],
    ['a custom header', { secret: SECRET, signOptions: { header: { alg: 'HS256', typ: 'JWT' } } }, /header/],
    ['subject', { secret: SECRET, verifyOptions: { subject: 'x' } }, /`jwt.verifyOptions.subject` is not supported/],
    ['issuers that differ', { secret: SECRET, signOptions: { issuer: 'a' }, verifyOptions: { issuer: 'b' } }, /signs issuer "a" but verifies "b"/],
    ['several audiences', { secret: SECRET, verifyOptions: { audience: ['a', 'b'] } }, /audience \["a","b"\] is not one string/],
    ['an audience pattern', { secret: SECRET, verifyOptions: { audience: /api/ } }, /is not one string/],
    ['a typo', { secret: SECRET, signOptions: { expiresin: 60 } }, /`jwt.signOptions.expiresin` is not supported/],
  ])('refuses %s at startup', (_name, jwt, message) => {
    expect(refusal(jwt)).toMatch(message);
  });

  it('refuses `jwt` together with the options it replaces', () => {
    expect(refusal({ secret: SECRET }, { secret: SECRET })).toMatch(/both `jwt` and `secret`/);
    expect(refusal({ secret: SECRET }, { issuer: 'x', accessTokenTtl: 60 })).toMatch(/both `jwt` and `accessTokenTtl`, `issuer`/);
  });
});
