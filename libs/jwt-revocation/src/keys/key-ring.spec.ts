import { constants, createHmac, createPrivateKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { KeyRing, type KeyRingSettings } from './key-ring';
import type { JwtKeyOptions } from '../options/jwt-revocation-options.interface';
import { algorithmOf } from './key-material';
import { toLowS } from './ecdsa-low-s';

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
  const order = key.algorithm.startsWith('ES') ? (algorithmOf(key) as { curveOrder?: bigint }).curveOrder : undefined;
  // The ring refuses high-S ECDSA signatures, so a valid token is spelt the way the library signs.
  const encoded = signature.toString('base64url');
  return `${input}.${order === undefined ? encoded : toLowS(encoded, order)}`;
}

describe('KeyRing', () => {
  describe.each<[string, () => JwtKeyOptions, () => JwtKeyOptions]>([
    ['HS256', () => ({ algorithm: 'HS256', secret: HS_SECRET }), () => ({ algorithm: 'HS256', secret: OTHER_HS_SECRET })],
    ['HS512', () => ({ algorithm: 'HS512', secret: `${HS_SECRET}-and-32-more-of-its-own-bytes-here` }), () => ({ algorithm: 'HS512', secret: `${OTHER_HS_SECRET}-and-32-more-bytes-of-its-own-here` })],
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

describe('ECDSA signatures have one spelling (low S)', () => {
  // Orders of the curves' base points (SEC 2, as `openssl ecparam -param_enc explicit` prints them).
  const curves = [
    ['ES256', 'P-256', 32, 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'],
    ['ES384', 'P-384', 48, 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'],
    ['ES512', 'P-521', 66, '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409'],
  ] as const;

  const toHex = (value: bigint, bytes: number) => value.toString(16).padStart(bytes * 2, '0');
  const sOf = (token: string, bytes: number) => BigInt(`0x${Buffer.from(token.split('.')[2], 'base64url').subarray(bytes).toString('hex')}`);
  /** The same signature with s replaced by n − s: valid for ECDSA, a second spelling of one signature. */
  function twin(token: string, bytes: number, order: bigint): string {
    const [header, payload, signature] = token.split('.');
    const raw = Buffer.from(signature, 'base64url');
    const s = BigInt(`0x${raw.subarray(bytes).toString('hex')}`);
    const flipped = Buffer.concat([raw.subarray(0, bytes), Buffer.from(toHex(order - s, bytes), 'hex')]);
    return `${header}.${payload}.${flipped.toString('base64url')}`;
  }

  describe.each(curves)('%s', (algorithm, namedCurve, bytes, orderHex) => {
    const order = BigInt(`0x${orderHex}`);
    const keys = pair(namedCurve, () => generateKeyPairSync('ec', { namedCurve }));
    const ring = () => new KeyRing([{ algorithm, privateKey: keys.privateKey }], undefined, SETTINGS);

    it('signs with s ≤ n/2 every time', () => {
      const keyRing = ring();
      for (let i = 0; i < 40; i++) expect(sOf(keyRing.signToken(claims({ i })), bytes) <= order / 2n).toBe(true);
    });

    it('refuses (r, n − s) of a token it accepts', () => {
      const keyRing = ring();
      for (let i = 0; i < 10; i++) {
        const token = keyRing.signToken(claims({ i }));
        const key = keyRing.keyFor(undefined)!;
        expect(key.verify(token)).toMatchObject({ i });
        expect(() => key.verify(twin(token, bytes, order))).toThrow();
      }
    });
  });
});

describe('RSA keys under 3072 bits', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('are accepted with one warning per key at startup, naming the key and the size to move to', () => {
    const signer = rsa();
    new KeyRing(
      [
        { kid: 'rsa-signing', algorithm: 'RS256', privateKey: signer.privateKey },
        { kid: 'rsa-old', algorithm: 'PS256', publicKey: rsa('rsa-2').publicKey },
        { kid: 'ec', algorithm: 'ES256', publicKey: p256().publicKey },
      ],
      'rsa-signing',
      SETTINGS,
    );
    const messages = warn.mock.calls.map(([message]) => String(message));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('"rsa-signing"');
    expect(messages[0]).toContain('2048 bits');
    expect(messages[0]).toContain('3072');
    expect(messages[1]).toContain('"rsa-old"');
  });

  it('are still refused under 2048 bits', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => new KeyRing([{ algorithm: 'RS256', privateKey: small.privateKey }], undefined, SETTINGS)).toThrow(/1024 bits/);
  });

  it('say nothing for 3072 bits', () => {
    const strong = pair('rsa-3072', () => generateKeyPairSync('rsa', { modulusLength: 3072 }));
    new KeyRing([{ algorithm: 'RS256', privateKey: strong.privateKey }], undefined, SETTINGS);
    expect(warn).not.toHaveBeenCalled();
  });
});
