import { createPrivateKey, createPublicKey, hkdfSync, KeyObject } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import type { JwtAlgorithm, JwtKeyOptions } from '../jwt-revocation.options';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { expectedKeyType, HMAC_ALGORITHMS, minHmacSecretBytes, SUPPORTED_ALGORITHMS } from './jwt-algorithms';

type Verify = (token: string) => Record<string, unknown>;
type Sign = (payload: Record<string, unknown>) => string;

/** A configured verification key, built once at startup. */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly algorithm: JwtAlgorithm;
  /** Checks the signature, `alg`, `exp`, `nbf`, `iss` and `aud`; throws on any failure. */
  readonly verify: Verify;
  /** Public part for JWKS; undefined for HMAC keys. */
  readonly publicKey: KeyObject | undefined;
}

export interface KeyRingSettings {
  issuer?: string;
  audience?: string;
  clockToleranceSeconds: number;
}

/**
 * All configured keys: one signs, every one verifies tokens whose header names it.
 * Keys are parsed once here, never per request.
 */
export class KeyRing {
  readonly signingKid: string | undefined;
  readonly signingAlgorithm: JwtAlgorithm;
  private readonly sign: Sign;
  private readonly signingMaterial: Buffer;
  private readonly byKid = new Map<string, VerificationKey>();
  private readonly defaultKey!: VerificationKey;

  constructor(keys: JwtKeyOptions[], signingKeyId: string | undefined, settings: KeyRingSettings) {
    if (keys.length === 0) {
      throw new JwtRevocationConfigError('no signing key', 'Set `secret` (at least 32 bytes) or `keys`.');
    }
    if (keys.length > 1 && keys.some((key) => !key.kid)) {
      throw new JwtRevocationConfigError('several keys without a `kid`', 'Give every key in `keys` a distinct `kid`.');
    }
    const signing = signingKeyId
      ? keys.find((key) => key.kid === signingKeyId)
      : keys.find((key) => key.secret !== undefined || key.privateKey !== undefined);
    if (!signing) {
      throw new JwtRevocationConfigError(
        signingKeyId ? `no key has kid "${signingKeyId}"` : 'no key can sign',
        'Give one key a `secret` (HS*) or a `privateKey`, and point `signingKeyId` at it.',
      );
    }
    for (const key of keys) {
      const built = buildVerificationKey(key, settings);
      if (key.kid !== undefined) {
        if (this.byKid.has(key.kid)) {
          throw new JwtRevocationConfigError(`duplicate kid "${key.kid}"`, 'Every key needs its own `kid`.');
        }
        this.byKid.set(key.kid, built);
      }
      if (key === signing) this.defaultKey = built;
    }
    this.signingKid = signing.kid;
    this.signingAlgorithm = signing.algorithm;
    this.sign = buildSigner(signing, settings);
    this.signingMaterial = HMAC_ALGORITHMS.has(signing.algorithm)
      ? hmacSecret(signing)
      : (privateKeyOf(signing).export({ type: 'pkcs8', format: 'der' }) as Buffer);
  }

  /** A 32-byte key for another purpose (refresh-token tags), derived from the signing key with HKDF. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.signingMaterial, 'nestjs-jwt-revocation', purpose, 32));
  }

  signToken(payload: Record<string, unknown>): string {
    return this.sign(payload);
  }

  /** The key a token header names, or undefined when it names none we hold. */
  keyFor(kid: unknown): VerificationKey | undefined {
    if (kid === undefined) return this.byKid.size <= 1 ? this.defaultKey : undefined;
    return typeof kid === 'string' ? this.byKid.get(kid) : undefined;
  }

  /** Public keys with their kid and algorithm, for a JWKS document. */
  publicKeys(): VerificationKey[] {
    const keys = this.byKid.size > 0 ? [...this.byKid.values()] : [this.defaultKey];
    return keys.filter((key) => key.publicKey !== undefined);
  }
}

function buildVerificationKey(key: JwtKeyOptions, settings: KeyRingSettings): VerificationKey {
  assertAlgorithm(key.algorithm);
  let material: string | Buffer;
  let publicKey: KeyObject | undefined;
  if (HMAC_ALGORITHMS.has(key.algorithm)) {
    material = hmacSecret(key);
  } else {
    publicKey = publicKeyOf(key);
    material = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  }
  const verify = createVerifier({
    key: material,
    algorithms: [key.algorithm],
    // A configured iss/aud must be present, not merely correct when present.
    requiredClaims: ['exp', ...(settings.issuer !== undefined ? ['iss'] : []), ...(settings.audience !== undefined ? ['aud'] : [])],
    clockTolerance: settings.clockToleranceSeconds * 1000,
    ...(settings.issuer !== undefined ? { allowedIss: settings.issuer } : {}),
    ...(settings.audience !== undefined ? { allowedAud: settings.audience } : {}),
  }) as Verify;
  return { kid: key.kid, algorithm: key.algorithm, verify, publicKey };
}

function buildSigner(key: JwtKeyOptions, settings: KeyRingSettings): Sign {
  const material = HMAC_ALGORITHMS.has(key.algorithm)
    ? hmacSecret(key)
    : (privateKeyOf(key).export({ type: 'pkcs8', format: 'pem' }) as string);
  return createSigner({
    key: material,
    algorithm: key.algorithm,
    ...(key.kid !== undefined ? { kid: key.kid } : {}),
    ...(settings.issuer !== undefined ? { iss: settings.issuer } : {}),
    ...(settings.audience !== undefined ? { aud: settings.audience } : {}),
  }) as Sign;
}

function assertAlgorithm(algorithm: unknown): asserts algorithm is JwtAlgorithm {
  if (typeof algorithm !== 'string' || !SUPPORTED_ALGORITHMS.has(algorithm)) {
    throw new JwtRevocationConfigError(
      `algorithm ${JSON.stringify(algorithm)} is not supported`,
      `Use one of ${[...SUPPORTED_ALGORITHMS].join(', ')}; "none" is never accepted.`,
    );
  }
}

function hmacSecret(key: JwtKeyOptions): Buffer {
  if (key.secret === undefined || key.secret === null) {
    throw new JwtRevocationConfigError(`${key.algorithm} needs a secret`, 'Set `secret` to at least 32 random bytes.');
  }
  const secret = Buffer.isBuffer(key.secret) ? key.secret : Buffer.from(String(key.secret), 'utf8');
  const minimum = minHmacSecretBytes(key.algorithm);
  if (secret.length < minimum) {
    throw new JwtRevocationConfigError(
      `the ${key.algorithm} secret is ${secret.length} bytes`,
      `Use at least ${minimum} random bytes, e.g. \`openssl rand -base64 ${minimum}\`.`,
    );
  }
  return secret;
}

function privateKeyOf(key: JwtKeyOptions): KeyObject {
  if (!key.privateKey) {
    throw new JwtRevocationConfigError(`the signing ${key.algorithm} key has no privateKey`, 'Set `privateKey` (PEM or KeyObject).');
  }
  const privateKey = toKeyObject(key.privateKey, 'private', key.algorithm);
  assertKeyType(privateKey, key.algorithm);
  return privateKey;
}

function publicKeyOf(key: JwtKeyOptions): KeyObject {
  const source = key.publicKey ?? key.privateKey;
  if (!source) {
    throw new JwtRevocationConfigError(`the ${key.algorithm} key has no publicKey`, 'Set `publicKey` (PEM or KeyObject).');
  }
  const publicKey = toKeyObject(source, 'public', key.algorithm);
  assertKeyType(publicKey, key.algorithm);
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

const EC_CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };
const MIN_RSA_BITS = 2048;

/** The key must fit its algorithm: family, RSA size (RFC 7518 §3.3) and EC curve (§3.4). */
function assertKeyType(keyObject: KeyObject, algorithm: JwtAlgorithm): void {
  const expected = expectedKeyType(algorithm);
  if (keyObject.type === 'secret' || (expected && keyObject.asymmetricKeyType !== expected)) {
    throw new JwtRevocationConfigError(
      `a ${keyObject.asymmetricKeyType ?? 'secret'} key cannot be used with ${algorithm}`,
      `Give ${algorithm} a${expected === 'rsa' ? 'n RSA (not RSA-PSS)' : ` ${expected}`} key.`,
    );
  }
  const details = keyObject.asymmetricKeyDetails;
  if (expected === 'rsa' && (details?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new JwtRevocationConfigError(`the ${algorithm} key has ${details?.modulusLength} bits`, `Use an RSA key of at least ${MIN_RSA_BITS} bits.`);
  }
  if (expected === 'ec' && details?.namedCurve !== EC_CURVES[algorithm]) {
    throw new JwtRevocationConfigError(`${algorithm} cannot use the ${details?.namedCurve} curve`, `Give ${algorithm} a ${EC_CURVES[algorithm]} key.`);
  }
}
