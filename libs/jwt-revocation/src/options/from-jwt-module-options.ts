import { createPrivateKey, KeyObject } from 'node:crypto';
import type { JwtModuleOptions } from '@nestjs/jwt';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { jwsAlgorithm, SUPPORTED_ALGORITHMS, type JwtAlgorithm } from '../keys/jws-algorithms';
import type { JwtKeyOptions, JwtRevocationModuleOptions } from './jwt-revocation-options.interface';

/** The library options an app's `JwtModule` options stand for. */
export type JwtModuleMapping = Pick<
  JwtRevocationModuleOptions,
  'secret' | 'algorithm' | 'keys' | 'accessTokenTtl' | 'issuer' | 'audience' | 'clockTolerance' | 'refreshTokenSecret'
>;

/** Library options `jwt` replaces: giving both would leave two answers to one question. */
export const OPTIONS_JWT_REPLACES: ReadonlyArray<keyof JwtRevocationModuleOptions> = [
  'secret',
  'algorithm',
  'keys',
  'signingKeyId',
  'accessTokenTtl',
  'issuer',
  'audience',
  'clockTolerance',
];

const TOP_LEVEL = ['secret', 'privateKey', 'publicKey', 'signOptions', 'verifyOptions', 'global'];
const SIGN_OPTIONS = ['algorithm', 'expiresIn', 'issuer', 'audience', 'keyid'];
const VERIFY_OPTIONS = ['algorithms', 'issuer', 'audience', 'clockTolerance'];
const WHY_REFUSED: Record<string, string> = {
  secretOrKeyProvider: 'keys must be known at startup (parsed once, published in JWKS); give `secret` or `privateKey`/`publicKey`',
  secretOrPrivateKey: 'it is deprecated in @nestjs/jwt; rename it `secret` (HS*) or `privateKey`',
  'verifyOptions.ignoreExpiration': 'every access token must expire',
  'verifyOptions.ignoreNotBefore': 'a token is never accepted before its nbf',
  'verifyOptions.maxAge': 'the lifetime is `signOptions.expiresIn`; no token of ours lives longer',
  'signOptions.notBefore': 'access tokens are valid from the moment they are issued',
  'signOptions.noTimestamp': 'access tokens always carry iat',
  'signOptions.header': 'the header is the library\'s (alg, typ at+jwt, kid)',
};
/** jsonwebtoken's timespan units (via `ms`) that are whole seconds. */
const UNIT_SECONDS: Record<string, number> = { s: 1, sec: 1, secs: 1, second: 1, seconds: 1, m: 60, min: 60, mins: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400, w: 604800, week: 604800, weeks: 604800 };

/**
 * Maps an app's existing `JwtModule` options (@nestjs/jwt) onto the library's, refusing at
 * startup what the library cannot honour (a key provider, `none`, several algorithms, switched-off checks).
 */
export function fromJwtModuleOptions(jwt: JwtModuleOptions): JwtModuleMapping {
  if (typeof jwt !== 'object' || jwt === null) refuse('`jwt` is not an object', 'Pass the options you give JwtModule.register().');
  assertOnly(jwt, TOP_LEVEL, 'jwt.');
  const sign = jwt.signOptions ?? {};
  const verify = jwt.verifyOptions ?? {};
  assertOnly(sign, SIGN_OPTIONS, 'jwt.signOptions.');
  assertOnly(verify, VERIFY_OPTIONS, 'jwt.verifyOptions.');

  const algorithm = algorithmOf(sign.algorithm, verify.algorithms);
  const issuer = agreed('issuer', single(sign.issuer, 'signOptions.issuer'), single(verify.issuer, 'verifyOptions.issuer'));
  const audience = agreed('audience', single(sign.audience, 'signOptions.audience'), single(verify.audience, 'verifyOptions.audience'));
  return {
    ...keysOf(jwt, algorithm, sign.keyid),
    ...(sign.expiresIn !== undefined ? { accessTokenTtl: secondsOf(sign.expiresIn) } : {}),
    ...(issuer !== undefined ? { issuer } : {}),
    ...(audience !== undefined ? { audience } : {}),
    ...(verify.clockTolerance !== undefined ? { clockTolerance: verify.clockTolerance } : {}),
  };
}

function keysOf(
  jwt: JwtModuleOptions,
  algorithm: JwtAlgorithm | undefined,
  kid: string | undefined,
): Pick<JwtModuleMapping, 'secret' | 'algorithm' | 'keys' | 'refreshTokenSecret'> {
  if (jwt.secret !== undefined && (jwt.privateKey !== undefined || jwt.publicKey !== undefined)) {
    refuse('`jwt` has both `secret` and `privateKey`/`publicKey`', 'Give `secret` for HS* or `privateKey` (and `publicKey`) for RS/PS/ES/EdDSA.');
  }
  if (jwt.secret !== undefined) {
    if (algorithm !== undefined && jwsAlgorithm(algorithm)?.family !== 'hmac') {
      refuse(`\`jwt.secret\` cannot sign ${algorithm}`, 'Use an HS* algorithm with `secret`, or give `privateKey`.');
    }
    const secret = jwt.secret as unknown;
    if (!(typeof secret === 'string' || Buffer.isBuffer(secret))) refuse('`jwt.secret` is not a string or Buffer', 'Pass the secret itself.');
    if (kid === undefined) return { secret, ...(algorithm ? { algorithm } : {}) };
    // A kid needs `keys`; refresh tokens stay keyed by the secret, as without a kid.
    return { keys: [{ kid, algorithm: algorithm ?? 'HS256', secret }], refreshTokenSecret: secret };
  }
  if (jwt.privateKey === undefined) {
    refuse('`jwt` has no `secret` and no `privateKey`', 'The module signs access tokens: give `secret` (HS*) or `privateKey`.');
  }
  if (algorithm === undefined) {
    refuse('`jwt.privateKey` without an algorithm', 'Set `jwt.signOptions.algorithm` (e.g. RS256, ES256, EdDSA).');
  }
  const key: JwtKeyOptions = { algorithm, privateKey: keyMaterial(jwt.privateKey, 'privateKey') };
  if (jwt.publicKey !== undefined) key.publicKey = keyMaterial(jwt.publicKey, 'publicKey');
  if (kid !== undefined) key.kid = kid;
  return { keys: [key] };
}

/** The one algorithm: `signOptions.algorithm`, `verifyOptions.algorithms` (exactly that one), or both agreeing. */
function algorithmOf(signAlgorithm: unknown, verifyAlgorithms: unknown): JwtAlgorithm | undefined {
  if (verifyAlgorithms !== undefined && (!Array.isArray(verifyAlgorithms) || verifyAlgorithms.length !== 1)) {
    refuse(
      `jwt.verifyOptions.algorithms ${JSON.stringify(verifyAlgorithms)} is not exactly one algorithm`,
      'The library verifies with the signing key\'s algorithm only: list that one, or leave `algorithms` out.',
    );
  }
  const verified = (verifyAlgorithms as unknown[] | undefined)?.[0];
  if (signAlgorithm !== undefined && verified !== undefined && signAlgorithm !== verified) {
    refuse(`jwt signs with ${String(signAlgorithm)} but verifies ${String(verified)}`, 'Use one algorithm for both.');
  }
  const algorithm = signAlgorithm ?? verified;
  if (algorithm !== undefined && !jwsAlgorithm(algorithm)) {
    refuse(`algorithm ${JSON.stringify(algorithm)} is not supported`, `Use one of ${SUPPORTED_ALGORITHMS.join(', ')}; "none" is never accepted.`);
  }
  return algorithm as JwtAlgorithm | undefined;
}

/** jsonwebtoken reads `expiresIn` as seconds (a number) or a timespan ("15m"); a bare "60" would be 60 ms. */
function secondsOf(expiresIn: unknown): number {
  if (typeof expiresIn === 'number') return expiresIn; // checked as accessTokenTtl
  const match = typeof expiresIn === 'string' ? /^\s*(\d+)\s*([a-z]+)\s*$/i.exec(expiresIn) : null;
  const unit = match ? UNIT_SECONDS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    refuse(
      `jwt.signOptions.expiresIn ${JSON.stringify(expiresIn)} is not a whole number of seconds`,
      'Give seconds as a number (900) or a string with a unit ("15m", "1h"); jsonwebtoken reads a bare "900" as milliseconds.',
    );
  }
  return Number(match[1]) * unit;
}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return refuse(`jwt.${name} ${value instanceof RegExp ? String(value) : JSON.stringify(value)} is not one string`, 'Access tokens carry one value, checked for equality: give a string.');
}

function agreed(name: string, signed: string | undefined, verified: string | undefined): string | undefined {
  if (signed !== undefined && verified !== undefined && signed !== verified) {
    refuse(`jwt signs ${name} "${signed}" but verifies "${verified}"`, `Use the same ${name} in signOptions and verifyOptions.`);
  }
  return signed ?? verified;
}

function keyMaterial(value: unknown, name: string): string | Buffer | KeyObject {
  if (typeof value === 'string' || Buffer.isBuffer(value) || value instanceof KeyObject) return value;
  // jsonwebtoken also takes { key, passphrase }: decrypt it once, here.
  if (typeof value === 'object' && value !== null && 'key' in value && name === 'privateKey') {
    try {
      return createPrivateKey(value as { key: string; passphrase: string });
    } catch {
      refuse('`jwt.privateKey` cannot be decrypted', 'Check the key and its passphrase.');
    }
  }
  return refuse(`\`jwt.${name}\` is not a PEM, Buffer or KeyObject`, `Pass the ${name} itself.`);
}

function assertOnly(given: object, known: string[], prefix: string): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key) || (given as Record<string, unknown>)[key] === undefined) continue;
    const name = `${prefix.slice(4)}${key}`;
    refuse(`\`${prefix}${key}\` is not supported`, WHY_REFUSED[name] ? `Remove it: ${WHY_REFUSED[name]}.` : `Supported: ${known.join(', ')}.`);
  }
}

function refuse(problem: string, fix: string): never {
  throw new JwtRevocationConfigError(problem, fix);
}
