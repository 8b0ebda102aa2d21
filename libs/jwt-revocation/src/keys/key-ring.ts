import type { KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { JwtService } from '@nestjs/jwt';
import { createVerifier } from 'fast-jwt';
import type { JwtKeyOptions } from '../options/jwt-revocation-options.interface';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import type { JwtAlgorithm } from './jws-algorithms';
import { algorithmOf, hmacSecret, privateKeyOf, publicKeyOf } from './key-material';
import { isLowS, toLowS } from './ecdsa-low-s';
import { accessTokenSigner, jwtServiceFor, type SignAccessToken, type SignerSettings, type SigningKeyMaterial } from './access-token-signer';

type Verify = (token: string) => Record<string, unknown>;

/** A configured verification key, built once at startup. */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly algorithm: JwtAlgorithm;
  /** Checks the signature, `alg`, `exp`, `nbf`, `iss` and `aud`; throws on any failure. */
  readonly verify: Verify;
  /** Public part for JWKS; undefined for HMAC keys. */
  readonly publicKey: KeyObject | undefined;
}

export type KeyRingSettings = SignerSettings;

/**
 * All configured keys: one signs, every one verifies tokens whose header names it.
 * Keys are parsed once here, never per request.
 */
export class KeyRing {
  readonly signingKid: string | undefined;
  readonly signingAlgorithm: JwtAlgorithm;
  /** The @nestjs/jwt service holding the signing key; the module exports it. */
  readonly jwtService: JwtService;
  private readonly sign: SignAccessToken;
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
      warnIfWeakerThanRecommended(key, built);
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
    const material = signingMaterial(signing);
    this.jwtService = jwtServiceFor(material, settings);
    this.sign = lowSSigner(signing, accessTokenSigner(material, settings, this.jwtService));
  }

  /** Signs an access token's claims (with `iat`); `exp` is `iat` + the lifetime, `iss`/`aud` as configured. */
  signToken(claims: Record<string, unknown>): string {
    return this.sign(claims);
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
  const spec = algorithmOf(key);
  let material: string | Buffer;
  let publicKey: KeyObject | undefined;
  if (spec.family === 'hmac') {
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
  const order = spec.family === 'asymmetric' ? spec.curveOrder : undefined;
  if (order === undefined) return { kid: key.kid, algorithm: key.algorithm, verify, publicKey };
  const verifyLowS: Verify = (token) => {
    if (!isLowS(token.slice(token.lastIndexOf('.') + 1), order)) throw new Error('ECDSA signature not in low-S form');
    return verify(token);
  };
  return { kid: key.kid, algorithm: key.algorithm, verify: verifyLowS, publicKey };
}

/** Once per key at startup: RSA under the recommended size still works, but says so. */
function warnIfWeakerThanRecommended(key: JwtKeyOptions, built: VerificationKey): void {
  const spec = algorithmOf(key);
  const bits = built.publicKey?.asymmetricKeyDetails?.modulusLength;
  if (spec.family !== 'asymmetric' || spec.recommendedModulusBits === undefined || bits === undefined) return;
  if (bits >= spec.recommendedModulusBits) return;
  const name = key.kid !== undefined ? `"${key.kid}"` : '(no kid)';
  new Logger('JwtRevocation').warn(
    `The ${key.algorithm} key ${name} has ${bits} bits, under the ${spec.recommendedModulusBits} that give 128-bit security (OWASP ASVS level 2; 2048 bits give about 112): move to a larger RSA key or to ES256/EdDSA.`,
  );
}

function signingMaterial(key: JwtKeyOptions): SigningKeyMaterial {
  if (algorithmOf(key).family === 'hmac') return { kid: key.kid, algorithm: key.algorithm, key: hmacSecret(key), publicKey: undefined };
  return { kid: key.kid, algorithm: key.algorithm, key: privateKeyOf(key), publicKey: publicKeyOf(key) };
}

/** ES* signatures leave here in low-S form only: the verifier refuses the other spelling. */
function lowSSigner(key: JwtKeyOptions, sign: SignAccessToken): SignAccessToken {
  const spec = algorithmOf(key);
  const order = spec.family === 'asymmetric' ? spec.curveOrder : undefined;
  if (order === undefined) return sign;
  return (claims) => {
    const token = sign(claims);
    const cut = token.lastIndexOf('.') + 1;
    return token.slice(0, cut) + toLowS(token.slice(cut), order);
  };
}
