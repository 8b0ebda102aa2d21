// Keys and algorithms over HTTP, on a small app of its own (not the demo): HS256, RS256, ES256
// and EdDSA, key rotation (the old key keeps verifying, the new one signs), unknown kids, the
// JWKS document, and the keys the module must refuse at startup (RFC 7518 §3, CVE-2022-23539).
import { Controller, Get, HttpCode, Param, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  constants as cryptoConstants,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import request from 'supertest';
import {
  AuthTokenService,
  CurrentUser,
  InMemoryTokenVersionStore,
  JwtRevocationConfigError,
  JwtRevocationModule,
  Public,
  type AuthenticatedUser,
  type JwtAlgorithm,
  type JwtKeyOptions,
  type JwtRevocationModuleOptions,
} from 'nestjs-jwt-revocation';
import { JwksController } from 'nestjs-jwt-revocation';

@Controller()
class ProbeController {
  constructor(private readonly tokens: AuthTokenService) {}

  @Public()
  @Post('token/:id')
  @HttpCode(200)
  async token(@Param('id') id: string): Promise<{ accessToken: string }> {
    return { accessToken: (await this.tokens.login(id)).accessToken };
  }

  @Get('whoami')
  whoami(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }

  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(@CurrentUser('id') id: string): Promise<void> {
    await this.tokens.logoutAll(id);
  }
}

const moduleOptions = (keys: JwtKeyOptions[], signingKeyId: string, store: InMemoryTokenVersionStore): JwtRevocationModuleOptions => ({
  keys,
  signingKeyId,
  tokenVersionStore: store,
  sessions: false,
});

async function keysApp(keys: JwtKeyOptions[], signingKeyId: string, store: InMemoryTokenVersionStore): Promise<INestApplication> {
  const module = await Test.createTestingModule({
    imports: [JwtRevocationModule.forRoot(moduleOptions(keys, signingKeyId, store))],
    controllers: [ProbeController, JwksController],
  }).compile();
  const app = module.createNestApplication({ logger: false });
  await app.init();
  return app;
}

const compileWith = (options: JwtRevocationModuleOptions) =>
  Test.createTestingModule({ imports: [JwtRevocationModule.forRoot(options)] }).compile();

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

/** One key of a family: what signs (secret or private key) and what only verifies. */
interface FamilyKey {
  signing: Partial<JwtKeyOptions>;
  verifying: Partial<JwtKeyOptions>;
  /** Signs `input` as `alg` with this key (for forged headers). */
  sign(alg: string, input: string): string;
  /** The public key, for checking the JWKS document. */
  publicKey?: KeyObject;
}

function hmacKey(): FamilyKey {
  const secret = randomBytes(32);
  return {
    signing: { secret },
    verifying: { secret },
    sign: (alg, input) => b64url(createHmac(`sha${alg.slice(2)}`, secret).update(input).digest()),
  };
}

function asymmetricKey(pair: { privateKey: KeyObject; publicKey: KeyObject }): FamilyKey {
  return {
    signing: { privateKey: pair.privateKey },
    verifying: { publicKey: pair.publicKey },
    publicKey: pair.publicKey,
    sign: (alg, input) => {
      const data = Buffer.from(input);
      if (alg.startsWith('RS')) return b64url(cryptoSign(`sha${alg.slice(2)}`, data, pair.privateKey));
      if (alg.startsWith('PS')) {
        return b64url(cryptoSign(`sha${alg.slice(2)}`, data, { key: pair.privateKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }));
      }
      if (alg.startsWith('ES')) return b64url(cryptoSign(`sha${alg.slice(2)}`, data, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' }));
      return b64url(cryptoSign(null, data, pair.privateKey));
    },
  };
}

interface Family {
  algorithm: JwtAlgorithm;
  make(): FamilyKey;
  /** The same key under another algorithm name: must be refused (the key's algorithm rules). */
  otherAlgorithm: string;
}

const families: Family[] = [
  { algorithm: 'HS256', make: hmacKey, otherAlgorithm: 'HS512' },
  { algorithm: 'RS256', make: () => asymmetricKey(generateKeyPairSync('rsa', { modulusLength: 2048 })), otherAlgorithm: 'PS256' },
  { algorithm: 'ES256', make: () => asymmetricKey(generateKeyPairSync('ec', { namedCurve: 'P-256' })), otherAlgorithm: 'ES384' },
  // RFC 9864 names the same signature "Ed25519"; this key is configured as "EdDSA" only.
  { algorithm: 'EdDSA', make: () => asymmetricKey(generateKeyPairSync('ed25519')), otherAlgorithm: 'Ed25519' },
];

/** Re-signs `token` with `key` under a changed header. */
function resign(token: string, headerChanges: Record<string, unknown>, key: FamilyKey): string {
  const header = { ...headerOf(token), ...headerChanges };
  const input = `${b64url(JSON.stringify(header))}.${token.split('.')[1]}`;
  return `${input}.${key.sign(String(header.alg), input)}`;
}

const INVALID_TOKEN = 'Bearer error="invalid_token"';

describe.each(families)('$algorithm keys', ({ algorithm, make, otherAlgorithm }) => {
  const store = new InMemoryTokenVersionStore();
  const oldKid = `${algorithm.toLowerCase()}-2025`;
  const newKid = `${algorithm.toLowerCase()}-2026`;
  const oldKey = make();
  const newKey = make();
  let beforeRotation: INestApplication;
  let rotated: INestApplication;
  let retired: INestApplication;

  beforeAll(async () => {
    store.addUser('alice');
    store.addUser('bob');
    beforeRotation = await keysApp([{ kid: oldKid, algorithm, ...oldKey.signing }], oldKid, store);
    // Rotation: the old key only verifies, the new one signs.
    rotated = await keysApp(
      [
        { kid: oldKid, algorithm, ...oldKey.verifying },
        { kid: newKid, algorithm, ...newKey.signing },
      ],
      newKid,
      store,
    );
    retired = await keysApp([{ kid: newKid, algorithm, ...newKey.signing }], newKid, store);
  });

  afterAll(async () => {
    for (const app of [beforeRotation, rotated, retired]) await app?.close();
  });

  const tokenFrom = async (app: INestApplication, user = 'alice') =>
    (await request(app.getHttpServer()).post(`/token/${user}`).expect(200)).body.accessToken as string;
  const whoami = (app: INestApplication, token: string) => request(app.getHttpServer()).get('/whoami').set('Authorization', `Bearer ${token}`);
  const expectRefused = async (app: INestApplication, token: string) => {
    const res = await whoami(app, token);
    expect({ status: res.status, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, challenge: INVALID_TOKEN });
  };

  it('signs with the configured key: header alg and kid are the key\'s', async () => {
    const token = await tokenFrom(beforeRotation);
    expect(headerOf(token)).toEqual({ alg: algorithm, typ: 'at+jwt', kid: oldKid });
    const res = await whoami(beforeRotation, token).expect(200);
    expect(res.body).toMatchObject({ id: 'alice', tokenVersion: 0 });
  });

  it('after rotation, tokens of the old key keep working and new tokens carry the new kid', async () => {
    const oldToken = await tokenFrom(beforeRotation);
    const newToken = await tokenFrom(rotated);
    expect(headerOf(newToken)).toEqual({ alg: algorithm, typ: 'at+jwt', kid: newKid });
    await whoami(rotated, oldToken).expect(200);
    await whoami(rotated, newToken).expect(200);
  });

  it('an app that does not hold the new key yet refuses its tokens', async () => {
    await expectRefused(beforeRotation, await tokenFrom(rotated));
  });

  it('once the old key is retired, its tokens are refused and new ones still work', async () => {
    const oldToken = await tokenFrom(beforeRotation);
    await expectRefused(retired, oldToken);
    await whoami(retired, await tokenFrom(rotated)).expect(200);
  });

  it('an unknown kid is 401, even with a signature of a configured key', async () => {
    const token = await tokenFrom(rotated);
    await expectRefused(rotated, resign(token, { kid: `${newKid}-unknown` }, newKey));
    await expectRefused(rotated, resign(token, { kid: '../../../../dev/null' }, newKey));
  });

  it('no kid is 401 once several keys are configured', async () => {
    const token = await tokenFrom(rotated);
    const { kid: _kid, ...header } = headerOf(token);
    const input = `${b64url(JSON.stringify(header))}.${token.split('.')[1]}`;
    await expectRefused(rotated, `${input}.${newKey.sign(algorithm, input)}`);
  });

  it(`the right kid under another algorithm (${otherAlgorithm}) is 401`, async () => {
    const token = await tokenFrom(rotated);
    await expectRefused(rotated, resign(token, { alg: otherAlgorithm }, newKey));
  });

  it('the old kid with a signature of the new key is 401', async () => {
    await expectRefused(rotated, resign(await tokenFrom(rotated), { kid: oldKid }, newKey));
  });

  it('logout-all refuses the tokens of every key', async () => {
    const oldToken = await tokenFrom(beforeRotation, 'bob');
    const newToken = await tokenFrom(rotated, 'bob');
    await whoami(rotated, oldToken).expect(200);
    await request(rotated.getHttpServer()).post('/logout-all').set('Authorization', `Bearer ${newToken}`).expect(204);
    await expectRefused(rotated, oldToken);
    await expectRefused(rotated, newToken);
    expect(payloadOf(newToken).ver).toBe(0);
  });

  it('GET /.well-known/jwks.json lists the public keys that verify both generations, and nothing secret', async () => {
    const res = await request(rotated.getHttpServer()).get('/.well-known/jwks.json').expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const text = JSON.stringify(res.body);
    for (const member of ['"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"', '"k"']) expect(text).not.toContain(member);
    if (algorithm === 'HS256') {
      expect(res.body).toEqual({ keys: [] });
      expect(text).not.toContain(b64url(newKey.signing.secret as Buffer));
      return;
    }
    expect(res.body.keys.map((key: { kid: string; alg: string; use: string }) => [key.kid, key.alg, key.use])).toEqual([
      [oldKid, algorithm, 'sig'],
      [newKid, algorithm, 'sig'],
    ]);
    for (const token of [await tokenFrom(beforeRotation), await tokenFrom(rotated)]) {
      const jwk = res.body.keys.find((key: { kid: string }) => key.kid === headerOf(token).kid) as JsonWebKey;
      const [header, payload, signature] = token.split('.');
      const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
      const data = Buffer.from(`${header}.${payload}`);
      const hash = algorithm === 'EdDSA' ? null : 'sha256';
      const options = algorithm === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
      expect(cryptoVerify(hash, data, options, Buffer.from(signature, 'base64url'))).toBe(true);
    }
  });
});

describe('keys of different algorithms never stand in for each other', () => {
  const store = new InMemoryTokenVersionStore();
  const rsa = asymmetricKey(generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const ec = asymmetricKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  let rsApp: INestApplication;
  let esApp: INestApplication;

  beforeAll(async () => {
    store.addUser('alice');
    // Both apps name their key "shared": only the algorithm tells them apart.
    rsApp = await keysApp([{ kid: 'shared', algorithm: 'RS256', ...rsa.signing }], 'shared', store);
    esApp = await keysApp([{ kid: 'shared', algorithm: 'ES256', ...ec.signing }], 'shared', store);
  });

  afterAll(async () => {
    await rsApp?.close();
    await esApp?.close();
  });

  it('an RS256 token with the same kid is 401 on the ES256 app, and the reverse', async () => {
    const rsToken = (await request(rsApp.getHttpServer()).post('/token/alice').expect(200)).body.accessToken;
    const esToken = (await request(esApp.getHttpServer()).post('/token/alice').expect(200)).body.accessToken;
    for (const [app, token] of [
      [esApp, rsToken],
      [rsApp, esToken],
    ] as const) {
      const res = await request(app.getHttpServer()).get('/whoami').set('Authorization', `Bearer ${token}`);
      expect({ status: res.status, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, challenge: INVALID_TOKEN });
    }
    await request(rsApp.getHttpServer()).get('/whoami').set('Authorization', `Bearer ${rsToken}`).expect(200);
    await request(esApp.getHttpServer()).get('/whoami').set('Authorization', `Bearer ${esToken}`).expect(200);
  });
});

describe('a configured issuer and audience (RFC 8725 §3.8-3.9)', () => {
  const store = new InMemoryTokenVersionStore();
  const key = hmacKey();
  let app: INestApplication;

  beforeAll(async () => {
    store.addUser('alice');
    const module = await Test.createTestingModule({
      imports: [
        JwtRevocationModule.forRoot({
          ...moduleOptions([{ kid: 'hs-1', algorithm: 'HS256', ...key.signing }], 'hs-1', store),
          issuer: 'https://auth.example.com',
          audience: 'orders-api',
        }),
      ],
      controllers: [ProbeController],
    }).compile();
    app = module.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  /** The token with its claims changed, re-signed with the right key: only iss/aud can fail it. */
  const withClaims = (token: string, changes: Record<string, unknown>) => {
    const claims = { ...payloadOf(token), ...changes };
    for (const [name, value] of Object.entries(changes)) if (value === undefined) delete claims[name];
    const input = `${token.split('.')[0]}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${key.sign('HS256', input)}`;
  };

  it.each([
    ['iss missing', { iss: undefined }],
    ['iss of another issuer', { iss: 'https://evil.example.com' }],
    ['aud missing', { aud: undefined }],
    ['aud of another API', { aud: 'billing-api' }],
    ['aud an empty list', { aud: [] }],
  ])('%s is 401', async (_name, changes) => {
    const token = (await request(app.getHttpServer()).post('/token/alice').expect(200)).body.accessToken;
    expect(payloadOf(token)).toMatchObject({ iss: 'https://auth.example.com', aud: 'orders-api' });
    await request(app.getHttpServer()).get('/whoami').set('Authorization', `Bearer ${withClaims(token, {})}`).expect(200);
    const res = await request(app.getHttpServer()).get('/whoami').set('Authorization', `Bearer ${withClaims(token, changes)}`);
    expect({ status: res.status, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, challenge: INVALID_TOKEN });
  });
});

describe('keys refused at startup', () => {
  const store = new InMemoryTokenVersionStore();
  const refused = (keys: JwtKeyOptions[]) => compileWith({ keys, tokenVersionStore: store, sessions: false });

  it('CVE-2022-23539: a DSA key is refused', async () => {
    const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
    await expect(refused([{ algorithm: 'RS256', privateKey: dsa.privateKey }])).rejects.toThrow(JwtRevocationConfigError);
  });

  it('an EC key is refused for RS256 and an RSA key for EdDSA', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect(refused([{ algorithm: 'RS256', privateKey: ec.privateKey }])).rejects.toThrow(JwtRevocationConfigError);
    await expect(refused([{ algorithm: 'EdDSA', privateKey: rsa.privateKey }])).rejects.toThrow(JwtRevocationConfigError);
  });

  it('alg "none" is refused', async () => {
    await expect(refused([{ algorithm: 'none' as JwtAlgorithm, secret: 'x'.repeat(32) }])).rejects.toThrow(JwtRevocationConfigError);
  });

  it('two keys with one kid, or several keys without kids, are refused', async () => {
    const secret = randomBytes(32);
    await expect(refused([{ kid: 'a', algorithm: 'HS256', secret }, { kid: 'a', algorithm: 'HS256', secret: randomBytes(32) }])).rejects.toThrow(
      JwtRevocationConfigError,
    );
    await expect(refused([{ algorithm: 'HS256', secret }, { algorithm: 'HS256', secret: randomBytes(32) }])).rejects.toThrow(JwtRevocationConfigError);
  });

  it('an HS256 secret under 32 bytes is refused', async () => {
    await expect(refused([{ algorithm: 'HS256', secret: randomBytes(31) }])).rejects.toThrow(/32/);
  });

  it('RFC 7518 §3.2: an HS384 secret under 48 bytes and an HS512 secret under 64 bytes are refused', async () => {
    await expect(refused([{ algorithm: 'HS384', secret: randomBytes(32) }])).rejects.toThrow(JwtRevocationConfigError);
    await expect(refused([{ algorithm: 'HS512', secret: randomBytes(32) }])).rejects.toThrow(JwtRevocationConfigError);
  });

  it('RFC 7518 §3.3 / CVE-2022-23539: an RSA key under 2048 bits is refused', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await expect(refused([{ algorithm: 'RS256', privateKey: weak.privateKey }])).rejects.toThrow(JwtRevocationConfigError);
    await expect(refused([{ kid: 'old', algorithm: 'RS256', publicKey: weak.publicKey }, { kid: 'new', algorithm: 'HS256', secret: randomBytes(32) }])).rejects.toThrow(
      JwtRevocationConfigError,
    );
  });

  it('RFC 7518 §3.4: ES256 needs a P-256 key (not P-384, not secp256k1), with a message that says so', async () => {
    for (const namedCurve of ['P-384', 'secp256k1']) {
      const wrongCurve = generateKeyPairSync('ec', { namedCurve });
      await expect(refused([{ algorithm: 'ES256', privateKey: wrongCurve.privateKey }])).rejects.toThrow(JwtRevocationConfigError);
    }
  });
});
