import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { JwtRevocationModule } from '../jwt-revocation.module';
import type { JwtKeyOptions } from '../options/jwt-revocation-options.interface';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { KeyRing, type VerificationKey } from './key-ring';
import { jwksDocument } from './public-jwk';
import { JwksService } from './jwks.service';
import { JwksController } from './jwks.controller';

const HS_SECRET = 'jwks-spec-hmac-secret-of-32-bytes-or-more';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOld = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const ring = (keys: JwtKeyOptions[], signingKeyId?: string) => new KeyRing(keys, signingKeyId, { clockToleranceSeconds: 5, accessTokenTtl: 900 });

function verifiesWith(jwk: object, alg: string, privateKey: KeyObject): boolean {
  const data = Buffer.from('header.payload');
  const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
  const hash = alg === 'EdDSA' ? null : 'sha256';
  return verify(hash, data, publicKey, sign(hash, data, privateKey));
}

describe('jwksDocument', () => {
  const keys: JwtKeyOptions[] = [
    { kid: 'rs-2', algorithm: 'RS256', privateKey: rsa.privateKey },
    { kid: 'rs-1', algorithm: 'RS256', publicKey: rsaOld.publicKey },
    { kid: 'es-1', algorithm: 'ES256', publicKey: ec.publicKey.export({ type: 'spki', format: 'pem' }) as string },
    { kid: 'ed-1', algorithm: 'EdDSA', privateKey: ed.privateKey },
    { kid: 'hs-1', algorithm: 'HS256', secret: HS_SECRET },
  ];

  it('lists every asymmetric key with kid, alg, use "sig" and its public members only', () => {
    const document = jwksDocument(ring(keys, 'rs-2'));
    expect(document.keys.map((key) => key.kid)).toEqual(['rs-2', 'rs-1', 'es-1', 'ed-1']);
    const [rs2, rs1, es1, ed1] = document.keys;
    expect(Object.keys(rs2).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(rs2).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(rs1.n).toBe(rsaOld.publicKey.export({ format: 'jwk' }).n);
    expect(Object.keys(es1).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(es1).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(Object.keys(ed1).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(ed1).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
  });

  it('never contains private or HMAC material, even when keys were given as private keys', () => {
    const document = jwksDocument(ring(keys, 'rs-2'));
    const text = JSON.stringify(document);
    for (const key of document.keys) for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    for (const [name, value] of [
      ['hmac secret', Buffer.from(HS_SECRET).toString('base64url')],
      ['hmac secret (raw)', HS_SECRET],
      ['rsa d', rsa.privateKey.export({ format: 'jwk' }).d!],
      ['ed d', ed.privateKey.export({ format: 'jwk' }).d!],
      ['hs kid', 'hs-1'],
    ]) {
      expect({ name, leaked: text.includes(value) }).toEqual({ name, leaked: false });
    }
  });

  it('publishes keys that verify what the private keys sign', () => {
    const document = jwksDocument(ring(keys, 'rs-2'));
    const byKid = new Map(document.keys.map((key) => [key.kid, key]));
    expect(verifiesWith(byKid.get('rs-2')!, 'RS256', rsa.privateKey)).toBe(true);
    expect(verifiesWith(byKid.get('rs-1')!, 'RS256', rsaOld.privateKey)).toBe(true);
    expect(verifiesWith(byKid.get('es-1')!, 'ES256', ec.privateKey)).toBe(true);
    expect(verifiesWith(byKid.get('ed-1')!, 'EdDSA', ed.privateKey)).toBe(true);
    expect(verifiesWith(byKid.get('rs-1')!, 'RS256', rsa.privateKey)).toBe(false);
  });

  it('is empty for an HMAC-only configuration', () => {
    expect(jwksDocument(ring([{ algorithm: 'HS256', secret: HS_SECRET }]))).toEqual({ keys: [] });
    expect(jwksDocument(ring([{ kid: 'a', algorithm: 'HS512', secret: `${HS_SECRET}-and-more-bytes-for-a-512-bit-key` }]))).toEqual({ keys: [] });
  });

  it('leaves kid out for a single key configured without one', () => {
    const document = jwksDocument(ring([{ algorithm: 'ES256', privateKey: ec.privateKey }]));
    expect(document.keys).toHaveLength(1);
    expect(document.keys[0]).not.toHaveProperty('kid');
    expect(document.keys[0]).not.toHaveProperty('d');
  });

  it('refuses to publish a key object that is not public', () => {
    const leaky: VerificationKey = { kid: 'x', algorithm: 'RS256', verify: () => ({}), publicKey: rsa.privateKey };
    expect(() => jwksDocument({ publicKeys: () => [leaky] })).toThrow(JwtRevocationConfigError);
  });
});

describe('JwksService and JwksController', () => {
  it('serve the same document from the module options', async () => {
    const module = await Test.createTestingModule({
      imports: [
        JwtRevocationModule.forRoot({
          keys: [
            { kid: 'rs-1', algorithm: 'RS256', privateKey: rsa.privateKey },
            { kid: 'hs-1', algorithm: 'HS256', secret: HS_SECRET },
          ],
          signingKeyId: 'rs-1',
          tokenVersionStore: new InMemoryTokenVersionStore(),
          sessions: false,
          globalGuard: false,
        }),
      ],
      providers: [JwksService],
      controllers: [JwksController],
    }).compile();
    const fromService = module.get(JwksService).document();
    expect(fromService.keys.map((key) => key.kid)).toEqual(['rs-1']);
    expect(module.get(JwksController).document()).toEqual(fromService);
    await module.close();
  });
});
