import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import type { JwtKeyOptions } from '../options/jwt-revocation-options.interface';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { assertSecretStrength, GENERATE_SECRET_HINT } from './secret-strength';
import { jwsAlgorithm, SUPPORTED_ALGORITHMS, type JwsAlgorithmSpec, type JwtAlgorithm } from './jws-algorithms';

/** The table row of a key's algorithm; refuses an algorithm the table does not hold. */
export function algorithmOf(key: JwtKeyOptions): JwsAlgorithmSpec {
  const spec = jwsAlgorithm(key.algorithm);
  if (!spec) {
    throw new JwtRevocationConfigError(
      `algorithm ${JSON.stringify(key.algorithm)} is not supported`,
      `Use one of ${SUPPORTED_ALGORITHMS.join(', ')}; "none" is never accepted.`,
    );
  }
  return spec;
}

/** The HMAC secret of an `HS*` key, at least as long as its hash output. */
export function hmacSecret(key: JwtKeyOptions): Buffer {
  if (key.secret === undefined || key.secret === null) {
    throw new JwtRevocationConfigError(`${key.algorithm} needs a secret`, 'Set `secret` to at least 32 random bytes.');
  }
  const secret = Buffer.isBuffer(key.secret) ? key.secret : Buffer.from(String(key.secret), 'utf8');
  const spec = algorithmOf(key);
  const minimum = spec.family === 'hmac' ? spec.minSecretBytes : 32;
  if (secret.length < minimum) {
    throw new JwtRevocationConfigError(
      `the ${key.algorithm} secret is ${secret.length} bytes`,
      `Use at least ${minimum} random bytes, e.g. \`openssl rand -base64 ${minimum}\`. ${GENERATE_SECRET_HINT}.`,
    );
  }
  assertSecretStrength(Buffer.isBuffer(key.secret) ? key.secret : String(key.secret), `the ${key.algorithm} secret`);
  return secret;
}

export function privateKeyOf(key: JwtKeyOptions): KeyObject {
  if (!key.privateKey) {
    throw new JwtRevocationConfigError(`the signing ${key.algorithm} key has no privateKey`, 'Set `privateKey` (PEM or KeyObject).');
  }
  const privateKey = toKeyObject(key.privateKey, 'private', key.algorithm);
  assertKeyFits(privateKey, key.algorithm);
  return privateKey;
}

export function publicKeyOf(key: JwtKeyOptions): KeyObject {
  const source = key.publicKey ?? key.privateKey;
  if (!source) {
    throw new JwtRevocationConfigError(`the ${key.algorithm} key has no publicKey`, 'Set `publicKey` (PEM or KeyObject).');
  }
  const publicKey = toKeyObject(source, 'public', key.algorithm);
  assertKeyFits(publicKey, key.algorithm);
  return publicKey;
}

function toKeyObject(source: string | Buffer | KeyObject, kind: 'private' | 'public', algorithm: string): KeyObject {
  try {
    if (source instanceof KeyObject) {
      return kind === 'public' && source.type === 'private' ? createPublicKey(source) : source;
    }
    return kind === 'private' ? createPrivateKey(source) : createPublicKey(source);
  } catch {
    throw new JwtRevocationConfigError(`the ${algorithm} ${kind} key cannot be parsed`, 'Pass a PEM string or a KeyObject.');
  }
}

/** The key must fit its algorithm's row: family, RSA size (RFC 7518 §3.3) and EC curve (§3.4). */
function assertKeyFits(keyObject: KeyObject, algorithm: JwtAlgorithm): void {
  const spec = jwsAlgorithm(algorithm);
  const expected = spec?.family === 'asymmetric' ? spec.keyType : undefined;
  if (keyObject.type === 'secret' || (expected && keyObject.asymmetricKeyType !== expected)) {
    throw new JwtRevocationConfigError(
      `a ${keyObject.asymmetricKeyType ?? 'secret'} key cannot be used with ${algorithm}`,
      `Give ${algorithm} a${expected === 'rsa' ? 'n RSA (not RSA-PSS)' : ` ${expected}`} key.`,
    );
  }
  if (spec?.family !== 'asymmetric') return;
  const details = keyObject.asymmetricKeyDetails;
  if (spec.minModulusBits !== undefined && (details?.modulusLength ?? 0) < spec.minModulusBits) {
    throw new JwtRevocationConfigError(
      `the ${algorithm} key has ${details?.modulusLength} bits`,
      `Use an RSA key of at least ${spec.minModulusBits} bits.`,
    );
  }
  if (spec.namedCurve !== undefined && details?.namedCurve !== spec.namedCurve) {
    throw new JwtRevocationConfigError(`${algorithm} cannot use the ${details?.namedCurve} curve`, `Give ${algorithm} a ${spec.namedCurve} key.`);
  }
}
