import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { resolveOptions } from './resolve-options';
import { JWT_REVOCATION_DEFAULTS } from './jwt-revocation.defaults';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import { JwtRevocationModule } from '../jwt-revocation.module';
import type { JwtRevocationModuleOptions } from './jwt-revocation-options.interface';

/** A random secret of exactly `length` characters (base64url: one byte each). */
const randomSecret = (length: number) => randomBytes(length).toString('base64url').slice(0, length);
const SECRET_32 = randomSecret(32);

function base(overrides: Partial<JwtRevocationModuleOptions> = {}): JwtRevocationModuleOptions {
  return { secret: SECRET_32, tokenVersionStore: new InMemoryTokenVersionStore(), sessionStore: new InMemorySessionStore(), ...overrides };
}

/** The config error thrown by `resolveOptions`, or a failure when it does not throw one. */
function configErrorOf(options: unknown): JwtRevocationConfigError {
  try {
    resolveOptions(options as JwtRevocationModuleOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(JwtRevocationConfigError);
    const configError = error as JwtRevocationConfigError;
    expect(configError.name).toBe('JwtRevocationConfigError');
    expect(configError.message).toMatch(/^JwtRevocationModule: /);
    return configError;
  }
  // Names the options only: never print a secret, even a test one.
  throw new Error(`resolveOptions accepted options with ${Object.keys(Object(options)).join(', ')}`);
}

let rsaPair: ReturnType<typeof generateKeyPairSync> | undefined;
/** One RSA pair for the file: they are slow to generate. */
const rsa = () => (rsaPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 }));
const ec = (namedCurve = 'P-256') => generateKeyPairSync('ec', { namedCurve });
const ed = () => generateKeyPairSync('ed25519');

describe('resolveOptions', () => {
  describe('defaults', () => {
    it('fills every default the options documentation promises', () => {
      const resolved = resolveOptions(base());
      expect(resolved.accessTokenTtl).toBe(900);
      expect(resolved.clockTolerance).toBe(5);
      expect(resolved.versionClaim).toBe('ver');
      expect(resolved.maxTokenLength).toBe(4096);
      expect(resolved.retryAfterSeconds).toBe(5);
      expect(resolved.issuer).toBeUndefined();
      expect(resolved.audience).toBeUndefined();
      expect(resolved.cache).toEqual({ enabled: true, maxEntries: 10_000, ttlMs: 60_000 });
      expect(resolved.sessions).toEqual({
        absoluteTtl: 30 * 24 * 3600,
        idleTtl: 7 * 24 * 3600,
        reuseGraceMs: 0,
        purgeIntervalMs: 10 * 60 * 1000,
        maxPerUser: 0,
        onLimit: 'revoke-oldest',
        store: expect.any(InMemorySessionStore),
        refreshTokenKey: expect.any(Buffer),
      });
      expect(resolved.keyRing.signingAlgorithm).toBe('HS256');
      expect(resolved.keyRing.signingKid).toBeUndefined();
    });

    it('exports the defaults it applies, in one object', () => {
      const resolved = resolveOptions(base());
      expect(resolved.cache).toEqual(JWT_REVOCATION_DEFAULTS.cache);
      expect(resolved.sessions).toMatchObject(JWT_REVOCATION_DEFAULTS.sessions);
      const { accessTokenTtl, clockTolerance, versionClaim, maxTokenLength, retryAfterSeconds } = resolved;
      expect({ accessTokenTtl, clockTolerance, versionClaim, maxTokenLength, retryAfterSeconds }).toEqual({
        accessTokenTtl: JWT_REVOCATION_DEFAULTS.accessTokenTtl,
        clockTolerance: JWT_REVOCATION_DEFAULTS.clockTolerance,
        versionClaim: JWT_REVOCATION_DEFAULTS.versionClaim,
        maxTokenLength: JWT_REVOCATION_DEFAULTS.maxTokenLength,
        retryAfterSeconds: JWT_REVOCATION_DEFAULTS.retryAfterSeconds,
      });
      expect(resolved.keyRing.signingAlgorithm).toBe(JWT_REVOCATION_DEFAULTS.algorithm);
      expect(Object.isFrozen(JWT_REVOCATION_DEFAULTS.sessions)).toBe(true);
    });

    it('keeps every value that is given', () => {
      const resolved = resolveOptions(
        base({
          algorithm: 'HS512',
          secret: randomSecret(64),
          accessTokenTtl: 60,
          clockTolerance: 0,
          versionClaim: 'tv',
          issuer: 'https://issuer.example',
          audience: 'api',
          maxTokenLength: 2048,
          retryAfterSeconds: 9,
          cache: { enabled: false, maxEntries: 5, ttlMs: 10 },
          sessions: { absoluteTtl: 100, idleTtl: 50, reuseGraceMs: 2000, purgeIntervalMs: 0 },
        }),
      );
      expect(resolved).toMatchObject({
        accessTokenTtl: 60,
        clockTolerance: 0,
        versionClaim: 'tv',
        issuer: 'https://issuer.example',
        audience: 'api',
        maxTokenLength: 2048,
        retryAfterSeconds: 9,
        cache: { enabled: false, maxEntries: 5, ttlMs: 10 },
        sessions: { absoluteTtl: 100, idleTtl: 50, reuseGraceMs: 2000, purgeIntervalMs: 0 },
      });
      expect(resolved.keyRing.signingAlgorithm).toBe('HS512');
    });

    it('watches peers on the channel unless told not to, and refuses a watchPeers that is not a boolean', () => {
      expect(resolveOptions(base()).watchPeers).toBe(JWT_REVOCATION_DEFAULTS.watchPeers);
      expect(JWT_REVOCATION_DEFAULTS.watchPeers).toBe(true);
      expect(resolveOptions(base({ watchPeers: false })).watchPeers).toBe(false);
      expect(() => resolveOptions(base({ watchPeers: 'no' as unknown as boolean }))).toThrow(/watchPeers must be true or false/);
    });

    it('fills the cache fields left out of a partial cache option', () => {
      expect(resolveOptions(base({ cache: { maxEntries: 3 } })).cache).toEqual({ enabled: true, maxEntries: 3, ttlMs: 60_000 });
    });

    it('turns sessions off with sessions: false', () => {
      expect(resolveOptions(base({ sessions: false })).sessions).toBe(false);
    });

    it('resolves the stores, the broadcaster and the hook too (nothing travels unresolved)', () => {
      const onRevocation = () => undefined;
      const resolved = resolveOptions(base({ onRevocation }));
      expect(resolved.tokenVersionStore).toBeInstanceOf(InMemoryTokenVersionStore);
      expect(resolved.sessions && resolved.sessions.store).toBeInstanceOf(InMemorySessionStore);
      expect(typeof resolved.broadcaster.isConnected).toBe('function');
      expect(resolved.onRevocation).toBe(onRevocation);
      expect(resolved).not.toHaveProperty('raw');
    });
  });

  describe('startup errors say how to fix them', () => {
    it.each([undefined, null, 'secret'])('refuses options %p', (options) => {
      expect(configErrorOf(options).message).toContain('JwtRevocationModule.forRoot(');
    });

    it.each([undefined, null, ''])('refuses a missing secret (%p)', (secret) => {
      const error = configErrorOf({ tokenVersionStore: new InMemoryTokenVersionStore(), secret });
      expect(error.message).toContain('secret is missing');
      expect(error.message).toContain('at least 32 random bytes');
    });

    it('refuses an HS256 secret of 31 bytes and names its length', () => {
      const error = configErrorOf(base({ secret: randomSecret(31) }));
      expect(error.message).toContain('31 bytes');
      expect(error.message).toContain('at least 32 random bytes');
    });

    it('accepts an HS256 secret of exactly 32 bytes', () => {
      expect(resolveOptions(base({ secret: randomSecret(32) })).keyRing.signingAlgorithm).toBe('HS256');
    });

    it('counts the secret in UTF-8 bytes, not characters', () => {
      // 16 characters of 2 bytes each: 32 bytes.
      expect(() => resolveOptions(base({ secret: 'éèêëàâäîïôöùûüçñ' }))).not.toThrow();
      // 30 characters, 31 bytes.
      expect(configErrorOf(base({ secret: 'é' + randomSecret(29) })).message).toContain('31 bytes');
    });

    it('applies the same 32-byte floor to a Buffer secret', () => {
      expect(configErrorOf(base({ secret: randomBytes(31) })).message).toContain('31 bytes');
      expect(() => resolveOptions(base({ secret: randomBytes(32) }))).not.toThrow();
    });

    // RFC 7518 §3.2: "A key of the same size as the hash output ... or larger MUST be used with this algorithm."
    it.each([
      ['HS384', 48],
      ['HS512', 64],
    ] as const)('refuses an %s secret shorter than its hash output (%i bytes)', (algorithm, minimum) => {
      expect(() => resolveOptions(base({ algorithm, secret: randomSecret(minimum) }))).not.toThrow();
      expect(configErrorOf(base({ algorithm, secret: randomSecret(minimum - 1) })).message).toContain(`${minimum - 1} bytes`);
    });

    const GENERATE = `node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"`;
    it.each([
      ['one character repeated', 'a'.repeat(32), 'only 1 distinct characters'],
      ['two characters', 'ab'.repeat(16), 'only 2 distinct characters'],
      ['a tiny alphabet, shuffled', '0110100110010110011010011001011001101001', 'only 2 distinct characters'],
      ['one byte repeated (Buffer)', Buffer.alloc(32, 7), 'only 1 distinct characters'],
      ['a skewed alphabet', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefghij', 'bits of entropy per character'],
      ['a short pattern repeated', 'Tr0ub4dor&3'.repeat(3), 'a short pattern repeated'],
    ])('refuses a guessable secret: %s, and says how to generate one', (_label, secret, reason) => {
      const error = configErrorOf(base({ secret }));
      expect(error.message).toContain('the HS256 secret is guessable');
      expect(error.message).toContain(reason);
      expect(error.message).toContain(GENERATE);
    });

    it('refuses a guessable refreshTokenSecret and a guessable secret inside `keys`', () => {
      expect(configErrorOf(base({ refreshTokenSecret: 'r'.repeat(32) })).message).toContain('refreshTokenSecret is guessable');
      const keys = [{ kid: 'k1', algorithm: 'HS256' as const, secret: 'x'.repeat(32) }];
      expect(configErrorOf(base({ secret: undefined, keys, sessions: false })).message).toContain('the HS256 secret is guessable');
    });

    it('accepts random secrets in every usual encoding', () => {
      for (let i = 0; i < 200; i++) {
        for (const secret of [randomBytes(16).toString('hex'), randomBytes(32).toString('base64'), randomBytes(48).toString('base64url'), randomBytes(32)]) {
          expect(() => resolveOptions(base({ secret }))).not.toThrow();
        }
      }
    });

    it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '900'])('refuses accessTokenTtl %p', (accessTokenTtl) => {
      const error = configErrorOf(base({ accessTokenTtl: accessTokenTtl as number }));
      expect(error.message).toContain('accessTokenTtl must be a positive integer (seconds)');
      expect(error.message).toContain('Set accessTokenTtl to a whole number above 0');
    });

    it.each(['none', 'None', 'NONE', 'HS1', 'RS257', 'hs256', '', 42])('refuses the algorithm %p', (algorithm) => {
      const error = configErrorOf(base({ algorithm: algorithm as never }));
      expect(error.message).toContain('is not supported');
      expect(error.message).toContain('HS256');
      expect(error.message).toContain('EdDSA');
      expect(error.message).toContain('"none" is never accepted');
    });

    it('refuses `none` inside `keys` too', () => {
      const error = configErrorOf({ tokenVersionStore: new InMemoryTokenVersionStore(), keys: [{ algorithm: 'none', secret: SECRET_32 }] });
      expect(error.message).toContain('"none" is never accepted');
    });

    it.each([-1, 31, 60, Number.NaN, Number.POSITIVE_INFINITY, '5'])('refuses clockTolerance %p', (clockTolerance) => {
      const error = configErrorOf(base({ clockTolerance: clockTolerance as number }));
      expect(error.message).toContain('clockTolerance');
      expect(error.message).toContain('Use 0 to 30 seconds');
    });

    it.each([0, 30])('accepts clockTolerance %p at the edge of the range', (clockTolerance) => {
      expect(resolveOptions(base({ clockTolerance })).clockTolerance).toBe(clockTolerance);
    });

    it('refuses options without a tokenVersionStore and names the TypeORM module', () => {
      const error = configErrorOf({ secret: SECRET_32 });
      expect(error.message).toContain('no token version store');
      expect(error.message).toContain('tokenVersionStore');
      expect(error.message).toContain('JwtRevocationTypeOrmModule');
    });

    it('refuses sessions on without a session store, and says how to turn them off', () => {
      const error = configErrorOf({ secret: SECRET_32, tokenVersionStore: new InMemoryTokenVersionStore() });
      expect(error.message).toContain('sessions are on but no session store is set');
      expect(error.message).toContain('`sessionStore`');
      expect(error.message).toContain('`sessions: false`');
      expect(() => resolveOptions({ secret: SECRET_32, tokenVersionStore: new InMemoryTokenVersionStore(), sessions: false })).not.toThrow();
    });

    it('refuses an unknown option key, also inside sessions and cache', () => {
      expect(configErrorOf(base({ acessTokenTtl: 60 } as never)).message).toContain('unknown option "acessTokenTtl"');
      expect(configErrorOf(base({ sessions: { idleTTL: 5 } as never })).message).toContain('unknown option "sessions.idleTTL"');
      expect(configErrorOf(base({ cache: { size: 5 } as never })).message).toContain('unknown option "cache.size"');
    });

    it('points the old `typeorm` option at JwtRevocationTypeOrmModule', () => {
      class User {}
      const error = configErrorOf(base({ typeorm: { entity: User } } as never));
      expect(error.message).toContain('unknown option "typeorm"');
      expect(error.message).toContain('JwtRevocationTypeOrmModule.forFeature');
    });

    it('refuses a store class given where an instance belongs', () => {
      const error = configErrorOf(base({ tokenVersionStore: InMemoryTokenVersionStore as never }));
      expect(error.message).toContain('tokenVersionStore is not a TokenVersionStore');
      expect(error.message).toContain('Pass an instance, not the class');
    });

    it('refuses both `secret` and `keys`', () => {
      const error = configErrorOf(base({ keys: [{ kid: 'a', algorithm: 'HS256', secret: SECRET_32 }] }));
      expect(error.message).toContain('both `secret` and `keys` are set');
      expect(error.message).toContain('Use one of them');
    });

    it('refuses `keys` that is not an array', () => {
      const error = configErrorOf({ tokenVersionStore: new InMemoryTokenVersionStore(), keys: { kid: 'a' } });
      expect(error.message).toContain('`keys` is not an array');
    });

    it('refuses an empty `keys`', () => {
      expect(configErrorOf({ tokenVersionStore: new InMemoryTokenVersionStore(), keys: [] }).message).toContain('no signing key');
    });

    it('refuses several keys when one has no kid', () => {
      const error = configErrorOf({
        tokenVersionStore: new InMemoryTokenVersionStore(),
        keys: [
          { kid: 'a', algorithm: 'HS256', secret: SECRET_32 },
          { algorithm: 'HS256', secret: randomSecret(32) },
        ],
      });
      expect(error.message).toContain('several keys without a `kid`');
      expect(error.message).toContain('distinct `kid`');
    });

    it('refuses a duplicate kid', () => {
      const error = configErrorOf({
        tokenVersionStore: new InMemoryTokenVersionStore(),
        keys: [
          { kid: 'same', algorithm: 'HS256', secret: SECRET_32 },
          { kid: 'same', algorithm: 'HS256', secret: randomSecret(32) },
        ],
      });
      expect(error.message).toContain('duplicate kid "same"');
      expect(error.message).toContain('Every key needs its own `kid`');
    });

    it('refuses a signingKeyId no key has', () => {
      const error = configErrorOf({
        tokenVersionStore: new InMemoryTokenVersionStore(),
        keys: [{ kid: 'a', algorithm: 'HS256', secret: SECRET_32 }],
        signingKeyId: 'b',
      });
      expect(error.message).toContain('no key has kid "b"');
      expect(error.message).toContain('signingKeyId');
    });

    it('refuses keys of which none can sign', () => {
      const error = configErrorOf({
        tokenVersionStore: new InMemoryTokenVersionStore(),
        keys: [{ kid: 'a', algorithm: 'ES256', publicKey: ec().publicKey }],
      });
      expect(error.message).toContain('no key can sign');
      expect(error.message).toContain('privateKey');
    });

    it('refuses an HS key without a secret', () => {
      const error = configErrorOf({
        tokenVersionStore: new InMemoryTokenVersionStore(),
        keys: [
          { kid: 'signer', algorithm: 'ES256', privateKey: ec().privateKey },
          { kid: 'hmac', algorithm: 'HS256' },
        ],
      });
      expect(error.message).toContain('HS256 needs a secret');
    });

    it('refuses an RSA key given for ES256 and names the key type needed', () => {
      const error = configErrorOf({ tokenVersionStore: new InMemoryTokenVersionStore(), keys: [{ algorithm: 'ES256', privateKey: rsa().privateKey }] });
      expect(error.message).toContain('a rsa key cannot be used with ES256');
      expect(error.message).toContain('Give ES256 a ec key');
    });

    it.each([
      ['RS256', () => ec().privateKey, 'ec'],
      ['PS256', () => ed().privateKey, 'ed25519'],
      ['EdDSA', () => ec().privateKey, 'ec'],
      ['ES256', () => ed().privateKey, 'ed25519'],
    ] as const)('refuses a key of the wrong type for %s', (algorithm, key, actualType) => {
      const error = configErrorOf({ tokenVersionStore: new InMemoryTokenVersionStore(), keys: [{ algorithm, privateKey: key() }] });
      expect(error.message).toContain(`a ${actualType} key cannot be used with ${algorithm}`);
    });

    it('refuses a public key of the wrong type even when the private key is right', () => {
      const error = configErrorOf({
        tokenVersionStore: new InMemoryTokenVersionStore(),
        keys: [{ algorithm: 'ES256', privateKey: ec().privateKey, publicKey: rsa().publicKey }],
      });
      expect(error.message).toContain('a rsa key cannot be used with ES256');
    });

    it('refuses a symmetric KeyObject for an asymmetric algorithm', () => {
      const error = configErrorOf({
        tokenVersionStore: new InMemoryTokenVersionStore(),
        keys: [{ algorithm: 'RS256', privateKey: createSecretKey(Buffer.alloc(32, 7)) }],
      });
      expect(error.message).toContain('cannot be used with RS256');
    });

    it('refuses a PEM that cannot be parsed', () => {
      const error = configErrorOf({
        tokenVersionStore: new InMemoryTokenVersionStore(),
        keys: [{ algorithm: 'RS256', privateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' }],
      });
      expect(error.message).toContain('cannot be parsed');
      expect(error.message).toContain('PEM string or a KeyObject');
    });

    it.each(['sub', 'exp', 'iat', 'typ', 'sid', 'jti', ''])('refuses the reserved versionClaim %p', (versionClaim) => {
      const error = configErrorOf(base({ versionClaim }));
      expect(error.message).toContain('is reserved');
      expect(error.message).toContain('Pick another name');
    });

    it.each(['issuer', 'audience'] as const)('refuses an empty or non-string %s', (name) => {
      expect(configErrorOf(base({ [name]: '' })).message).toContain(`${name} must be a non-empty string`);
      expect(configErrorOf(base({ [name]: 7 as never })).message).toContain(`${name} must be a non-empty string`);
    });

    it.each([
      ['sessions.absoluteTtl', { sessions: { absoluteTtl: 0 } }],
      ['sessions.idleTtl', { sessions: { idleTtl: -5 } }],
      ['cache.maxEntries', { cache: { maxEntries: 0 } }],
      ['cache.ttlMs', { cache: { ttlMs: 0.5 } }],
      ['maxTokenLength', { maxTokenLength: 0 }],
      ['retryAfterSeconds', { retryAfterSeconds: -1 }],
    ] as const)('refuses a non-positive or fractional %s', (name, overrides) => {
      const error = configErrorOf(base(overrides as Partial<JwtRevocationModuleOptions>));
      expect(error.message).toContain(`${name} must be a positive integer`);
      expect(error.message).toContain(`Set ${name} to a whole number above 0`);
    });

    it.each([
      ['sessions.reuseGraceMs', { reuseGraceMs: -1 }],
      ['sessions.purgeIntervalMs', { purgeIntervalMs: 1.5 }],
    ] as const)('refuses a negative or fractional %s and accepts 0', (name, sessions) => {
      const error = configErrorOf(base({ sessions }));
      expect(error.message).toContain(`${name} must be an integer >= 0`);
      const field = name.split('.')[1] as 'reuseGraceMs' | 'purgeIntervalMs';
      const resolved = resolveOptions(base({ sessions: { [field]: 0 } }));
      expect(resolved.sessions && resolved.sessions[field]).toBe(0);
    });
  });

  describe('the refresh-token key', () => {
    const keyOf = (options: Partial<JwtRevocationModuleOptions>) => {
      const sessions = resolveOptions(base(options)).sessions;
      if (!sessions) throw new Error('sessions are off');
      return sessions.refreshTokenKey;
    };
    const twoKeys = [
      { kid: 'k1', algorithm: 'HS256' as const, secret: randomSecret(32) },
      { kid: 'k2', algorithm: 'HS256' as const, secret: randomSecret(32) },
    ];

    it('is 32 bytes derived from `secret`, not the secret itself, and differs between secrets', () => {
      expect(keyOf({})).toHaveLength(32);
      expect(keyOf({}).equals(keyOf({}))).toBe(true);
      expect(keyOf({}).equals(Buffer.from(SECRET_32))).toBe(false);
      expect(keyOf({}).equals(keyOf({ secret: randomSecret(32) }))).toBe(false);
    });

    it('comes from refreshTokenSecret, whichever key signs', () => {
      const refreshTokenSecret = randomSecret(32);
      const signedByK1 = keyOf({ secret: undefined, keys: twoKeys, signingKeyId: 'k1', refreshTokenSecret });
      const signedByK2 = keyOf({ secret: undefined, keys: twoKeys, signingKeyId: 'k2', refreshTokenSecret });
      expect(signedByK1.equals(signedByK2)).toBe(true);
      // The same key as `secret: refreshTokenSecret` gives, so moving from `secret` to `keys` keeps refresh tokens.
      expect(signedByK1.equals(keyOf({ secret: refreshTokenSecret }))).toBe(true);
    });

    it('is required with `keys` while sessions are on', () => {
      const error = configErrorOf(base({ secret: undefined, keys: twoKeys, signingKeyId: 'k1' }));
      expect(error.message).toContain('need a `refreshTokenSecret`');
      expect(() => resolveOptions(base({ secret: undefined, keys: twoKeys, signingKeyId: 'k1', sessions: false }))).not.toThrow();
    });

    it('refuses a refreshTokenSecret shorter than 32 bytes', () => {
      expect(configErrorOf(base({ refreshTokenSecret: 'short' })).message).toContain('refreshTokenSecret is 5 bytes');
    });
  });

  describe('through JwtRevocationModule.forRoot', () => {
    it('fails the application start with the same error', async () => {
      const compile = Test.createTestingModule({
        imports: [JwtRevocationModule.forRoot({ secret: 'short', tokenVersionStore: new InMemoryTokenVersionStore() })],
      }).compile();
      await expect(compile).rejects.toThrow(JwtRevocationConfigError);
      await expect(compile).rejects.toThrow(/5 bytes.*at least 32 random bytes/);
    });
  });
});
