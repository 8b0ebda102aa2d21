import { constants, createHmac, createPrivateKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { KeyRing, type KeyRingSettings } from './key-ring';
import type { JwtKeyOptions } from '../options/jwt-revocation-options.interface';

const SETTINGS: KeyRingSettings = { clockToleranceSeconds: 5, accessTokenTtl: 60 };
const HS_SECRET = 'a-hmac-secret-that-is-32-bytes!!';
const OTHER_HS_SECRET = 'another-hmac-secret-of-32-bytes!';

type Pair = { privateKey: KeyObject; publicKey: KeyObject };
const pairs = new Map<string, Pair>();
/** Key pairs are slow to generate (RSA): one per label for the whole file. */
function pair(label: string, make: () => Pair): Pair {
  if (!pairs.has(label)) pairs.set(label, make());
  return pairs.get(label)!;
}
const rsa = (label = 'rsa') => pair(label, () => generateKeyPairSync('rsa', { modulusLength: 2048 }));
const p256 = (label = 'p256') => pair(label, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const p384 = (label = 'p384') => pair(label, () => generateKeyPairSync('ec', { namedCurve: 'P-384' }));
const ed25519 = (label = 'ed25519') => pair(label, () => generateKeyPairSync('ed25519'));

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'user-1', iat: now(), ...extra });
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

/** Replaces the payload and keeps the old signature. */
function tamper(token: string, change: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify({ ...payloadOf(token), ...change })).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;

/** A token the ring's signer could never write (e.g. without exp), signed with the key itself. */
function signRaw(key: JwtKeyOptions, payload: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = Buffer.from(`${encode({ alg: key.algorithm, typ: 'at+jwt' })}.${encode(payload)}`);
  const hash = `sha${key.algorithm.slice(2)}`;
  let signature: Buffer;
  if (key.algorithm.startsWith('HS')) signature = createHmac(hash, key.secret!).update(input).digest();
  else {
    const privateKey = typeof key.privateKey === 'string' ? createPrivateKey(key.privateKey) : (key.privateKey as KeyObject);
    if (key.algorithm === 'EdDSA') signature = cryptoSign(null, input, privateKey);
    else if (key.algorithm.startsWith('PS')) signature = cryptoSign(hash, input, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
    else if (key.algorithm.startsWith('ES')) signature = cryptoSign(hash, input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    else signature = cryptoSign(hash, input, privateKey);
  }
  return `${input}.${signature.toString('base64url')}`;
}

describe('KeyRing', () => {
  describe.each<[string, () => JwtKeyOptions, () => JwtKeyOptions]>([
    ['HS256', () => ({ algorithm: 'HS256', secret: HS_SECRET }), () => ({ algorithm: 'HS256', secret: OTHER_HS_SECRET })],
    ['HS512', () => ({ algorithm: 'HS512', secret: HS_SECRET.repeat(2) }), () => ({ algorithm: 'HS512', secret: OTHER_HS_SECRET.repeat(2) })],
    ['RS256', () => ({ algorithm: 'RS256', privateKey: rsa().privateKey }), () => ({ algorithm: 'RS256', privateKey: rsa('rsa-2').privateKey })],
    ['PS256', () => ({ algorithm: 'PS256', privateKey: pem(rsa().privateKey) }), () => ({ algorithm: 'PS256', privateKey: rsa('rsa-2').privateKey })],
    ['ES256', () => ({ algorithm: 'ES256', privateKey: p256().privateKey }), () => ({ algorithm: 'ES256', privateKey: p256('p256-2').privateKey })],
    ['ES384', () => ({ algorithm: 'ES384', privateKey: pem(p384().privateKey) }), () => ({ algorithm: 'ES384', privateKey: p384('p384-2').privateKey })],
    ['EdDSA', () => ({ algorithm: 'EdDSA', privateKey: ed25519().privateKey }), () => ({ algorithm: 'EdDSA', privateKey: ed25519('ed-2').privateKey })],
  ])('%s', (algorithm, key, otherKey) => {
    it('verifies the tokens it signs and returns their claims', () => {
      const ring = new KeyRing([key()], undefined, SETTINGS);
      const token = ring.signToken(claims({ ver: 3 }));
      expect(headerOf(token)).toMatchObject({ alg: algorithm, typ: 'at+jwt' });
      expect(payloadOf(token).exp).toBe(payloadOf(token).iat + SETTINGS.accessTokenTtl);
      const verified = ring.keyFor(undefined)!.verify(token);
      expect(verified).toMatchObject({ sub: 'user-1', ver: 3 });
      expect(ring.keyFor(undefined)!.algorithm).toBe(algorithm);
      expect(ring.signingAlgorithm).toBe(algorithm);
    });

    it('refuses a token whose payload was changed after signing', () => {
      const ring = new KeyRing([key()], undefined, SETTINGS);
      const token = ring.signToken(claims());
      expect(() => ring.keyFor(undefined)!.verify(tamper(token, { sub: 'admin' }))).toThrow();
    });

    it('refuses a token signed by another key of the same algorithm', () => {
      const ring = new KeyRing([key()], undefined, SETTINGS);
      const foreign = new KeyRing([otherKey()], undefined, SETTINGS).signToken(claims());
      expect(() => ring.keyFor(undefined)!.verify(foreign)).toThrow();
    });

    it('refuses an expired token', () => {
      const ring = new KeyRing([key()], undefined, SETTINGS);
      const token = ring.signToken(claims({ iat: now() - 120 })); // exp = iat + 60 s
      expect(() => ring.keyFor(undefined)!.verify(token)).toThrow();
    });

    it('refuses a token without exp', () => {
      const ring = new KeyRing([key()], undefined, SETTINGS);
      expect(ring.keyFor(undefined)!.verify(signRaw(key(), { sub: 'user-1', iat: now(), exp: now() + 60 }))).toMatchObject({ sub: 'user-1' });
      expect(() => ring.keyFor(undefined)!.verify(signRaw(key(), { sub: 'user-1', iat: now() }))).toThrow();
    });
  });

  it('derives the public key from the private key when none is given', () => {
    const { privateKey, publicKey } = p256();
    const ring = new KeyRing([{ algorithm: 'ES256', privateKey }], undefined, SETTINGS);
    const [published] = ring.publicKeys();
    expect(published.publicKey!.export({ format: 'jwk' })).toEqual(publicKey.export({ format: 'jwk' }));
  });

  it('publishes no public key for an HMAC secret', () => {
    expect(new KeyRing([{ algorithm: 'HS256', secret: HS_SECRET }], undefined, SETTINGS).publicKeys()).toEqual([]);
  });

  it('writes and checks issuer and audience', () => {
    const ring = new KeyRing([{ algorithm: 'HS256', secret: HS_SECRET }], undefined, { ...SETTINGS, issuer: 'https://a.example', audience: 'api' });
    const token = ring.signToken(claims());
    expect(payloadOf(token)).toMatchObject({ iss: 'https://a.example', aud: 'api' });
    expect(() => ring.keyFor(undefined)!.verify(token)).not.toThrow();

    const otherIssuer = new KeyRing([{ algorithm: 'HS256', secret: HS_SECRET }], undefined, { ...SETTINGS, issuer: 'https://b.example', audience: 'api' });
    expect(() => otherIssuer.keyFor(undefined)!.verify(token)).toThrow();
    const otherAudience = new KeyRing([{ algorithm: 'HS256', secret: HS_SECRET }], undefined, { ...SETTINGS, issuer: 'https://a.example', audience: 'web' });
    expect(() => otherAudience.keyFor(undefined)!.verify(token)).toThrow();
  });

  it('never lets an RS256 key verify an HS256 token signed with its public PEM (algorithm confusion)', () => {
    const { privateKey, publicKey } = rsa();
    const ring = new KeyRing([{ algorithm: 'RS256', privateKey }], undefined, SETTINGS);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims())}`;
    const secret = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const forged = `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
    expect(() => ring.keyFor(undefined)!.verify(forged)).toThrow();
  });

  describe('several keys', () => {
    const keys = (): JwtKeyOptions[] => [
      { kid: 'hs', algorithm: 'HS256', secret: HS_SECRET },
      { kid: 'ec', algorithm: 'ES256', privateKey: p256().privateKey },
      { kid: 'ed', algorithm: 'EdDSA', privateKey: ed25519().privateKey },
    ];

    it('signs with the key signingKeyId names and writes its kid', () => {
      const ring = new KeyRing(keys(), 'ec', SETTINGS);
      const token = ring.signToken(claims());
      expect(headerOf(token)).toMatchObject({ alg: 'ES256', kid: 'ec' });
      expect(ring.signingKid).toBe('ec');
      expect(ring.keyFor('ec')!.verify(token)).toMatchObject({ sub: 'user-1' });
    });

    it('signs with the first key that can sign when signingKeyId is not set', () => {
      const ring = new KeyRing(
        [{ kid: 'verify-only', algorithm: 'ES256', publicKey: p256().publicKey }, ...keys().slice(2)],
        undefined,
        SETTINGS,
      );
      expect(headerOf(ring.signToken(claims()))).toMatchObject({ alg: 'EdDSA', kid: 'ed' });
    });

    it('finds each key by its kid, with its own algorithm', () => {
      const ring = new KeyRing(keys(), 'ec', SETTINGS);
      expect(ring.keyFor('hs')!.algorithm).toBe('HS256');
      expect(ring.keyFor('ec')!.algorithm).toBe('ES256');
      expect(ring.keyFor('ed')!.algorithm).toBe('EdDSA');
    });

    it('refuses a token with the key another kid names', () => {
      const ring = new KeyRing(keys(), 'ec', SETTINGS);
      const token = ring.signToken(claims());
      expect(() => ring.keyFor('ed')!.verify(token)).toThrow();
      expect(() => ring.keyFor('hs')!.verify(token)).toThrow();
    });

    it.each([['unknown'], [''], [1], [null], [{}], [['ec']]])('answers undefined for the kid %p', (kid) => {
      expect(new KeyRing(keys(), 'ec', SETTINGS).keyFor(kid)).toBeUndefined();
    });

    it('answers undefined for a token without kid when several keys are configured', () => {
      expect(new KeyRing(keys(), 'ec', SETTINGS).keyFor(undefined)).toBeUndefined();
    });

    it('publishes the public keys of the asymmetric keys only', () => {
      const published = new KeyRing(keys(), 'ec', SETTINGS).publicKeys();
      expect(published.map((key) => key.kid).sort()).toEqual(['ec', 'ed']);
    });
  });

  describe('rotation', () => {
    it('still verifies a token signed by a retired asymmetric key that is configured for verification', () => {
      const before = new KeyRing([{ kid: '2024', algorithm: 'ES256', privateKey: p256().privateKey }], undefined, SETTINGS);
      const oldToken = before.signToken(claims());

      const after = new KeyRing(
        [
          { kid: '2025', algorithm: 'EdDSA', privateKey: ed25519().privateKey },
          { kid: '2024', algorithm: 'ES256', publicKey: p256().publicKey },
        ],
        '2025',
        SETTINGS,
      );
      expect(headerOf(after.signToken(claims()))).toMatchObject({ kid: '2025', alg: 'EdDSA' });
      expect(after.keyFor(headerOf(oldToken).kid)!.verify(oldToken)).toMatchObject({ sub: 'user-1' });
    });

    it('still verifies a token signed by a retired HMAC secret that is configured', () => {
      const before = new KeyRing([{ kid: 'old', algorithm: 'HS256', secret: HS_SECRET }], undefined, SETTINGS);
      const oldToken = before.signToken(claims());
      const after = new KeyRing(
        [
          { kid: 'new', algorithm: 'HS256', secret: OTHER_HS_SECRET },
          { kid: 'old', algorithm: 'HS256', secret: HS_SECRET },
        ],
        'new',
        SETTINGS,
      );
      expect(after.keyFor('old')!.verify(oldToken)).toMatchObject({ sub: 'user-1' });
      expect(headerOf(after.signToken(claims())).kid).toBe('new');
    });

    it('no longer knows a key once it is removed', () => {
      const before = new KeyRing([{ kid: 'old', algorithm: 'HS256', secret: HS_SECRET }], undefined, SETTINGS);
      const oldToken = before.signToken(claims());
      const after = new KeyRing([{ kid: 'new', algorithm: 'HS256', secret: OTHER_HS_SECRET }], undefined, SETTINGS);
      expect(after.keyFor(headerOf(oldToken).kid)).toBeUndefined();
    });
  });
});
