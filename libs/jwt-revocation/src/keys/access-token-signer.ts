import { createSecretKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { JwtService, type JwtModuleOptions, type JwtSignOptions } from '@nestjs/jwt';
import type { JwtAlgorithm } from './jws-algorithms';

/** jsonwebtoken's algorithm names: every one of ours but EdDSA. */
type JsonWebTokenAlgorithm = NonNullable<JwtSignOptions['algorithm']>;

/** JOSE header `typ` of every access token (RFC 9068 §2.1); the verifier requires it. */
export const ACCESS_TOKEN_MEDIA_TYPE = 'at+jwt';

/** Signs the claims of one access token (`iat` included); adds `exp`, `iss` and `aud`. */
export type SignAccessToken = (claims: Record<string, unknown>) => string;

/** The signing key, parsed once at startup: never a string or PEM per call. */
export interface SigningKeyMaterial {
  readonly kid: string | undefined;
  readonly algorithm: JwtAlgorithm;
  /** Secret bytes (HS*) or the private key. */
  readonly key: Buffer | KeyObject;
  /** Public key of an asymmetric signing key. */
  readonly publicKey: KeyObject | undefined;
}

export interface SignerSettings {
  readonly issuer?: string;
  readonly audience?: string;
  readonly accessTokenTtl: number;
  readonly clockToleranceSeconds: number;
}

/**
 * The `JwtService` (@nestjs/jwt) the module signs with and exports: the signing key as a
 * KeyObject, and defaults (algorithm, kid, lifetime, iss, aud) equal to the access tokens', so
 * an app that injects it signs and verifies its own tokens with the same keys.
 */
export function jwtServiceFor(signing: SigningKeyMaterial, settings: SignerSettings): JwtService {
  const key = Buffer.isBuffer(signing.key) ? createSecretKey(signing.key) : signing.key;
  const algorithm = signing.algorithm as JsonWebTokenAlgorithm;
  const options: JwtModuleOptions = {
    ...(key.type === 'secret' ? { secret: key } : { privateKey: key, publicKey: signing.publicKey }),
    signOptions: {
      algorithm,
      expiresIn: settings.accessTokenTtl,
      ...(signing.kid !== undefined ? { keyid: signing.kid } : {}),
      ...(settings.issuer !== undefined ? { issuer: settings.issuer } : {}),
      ...(settings.audience !== undefined ? { audience: settings.audience } : {}),
    },
    verifyOptions: {
      algorithms: [algorithm],
      clockTolerance: settings.clockToleranceSeconds,
      ...(settings.issuer !== undefined ? { issuer: settings.issuer } : {}),
      ...(settings.audience !== undefined ? { audience: settings.audience } : {}),
    },
  };
  return new JwtService(options);
}

/**
 * Access tokens are signed through `jwtService`. EdDSA is the one exception: jsonwebtoken (under
 * @nestjs/jwt) cannot sign it, so an Ed25519 key signs with node:crypto directly, into the same
 * header and claims.
 */
export function accessTokenSigner(signing: SigningKeyMaterial, settings: SignerSettings, jwtService: JwtService): SignAccessToken {
  if (signing.algorithm === 'EdDSA') return ed25519Signer(signing, settings);
  const perToken: JwtSignOptions = {
    algorithm: signing.algorithm as JsonWebTokenAlgorithm,
    expiresIn: settings.accessTokenTtl,
    header: { alg: signing.algorithm, typ: ACCESS_TOKEN_MEDIA_TYPE },
    ...(signing.kid !== undefined ? { keyid: signing.kid } : {}),
    ...(settings.issuer !== undefined ? { issuer: settings.issuer } : {}),
    ...(settings.audience !== undefined ? { audience: settings.audience } : {}),
  };
  return (claims) => jwtService.sign(claims, perToken);
}

function ed25519Signer(signing: SigningKeyMaterial, settings: SignerSettings): SignAccessToken {
  const privateKey = signing.key as KeyObject;
  const header = base64url({ alg: 'EdDSA', typ: ACCESS_TOKEN_MEDIA_TYPE, ...(signing.kid !== undefined ? { kid: signing.kid } : {}) });
  return (claims) => {
    const iat = typeof claims.iat === 'number' ? claims.iat : Math.floor(Date.now() / 1000);
    const payload = {
      ...claims,
      iat,
      exp: iat + settings.accessTokenTtl,
      ...(settings.issuer !== undefined ? { iss: settings.issuer } : {}),
      ...(settings.audience !== undefined ? { aud: settings.audience } : {}),
    };
    const input = `${header}.${base64url(payload)}`;
    return `${input}.${cryptoSign(null, Buffer.from(input), privateKey).toString('base64url')}`;
  };
}

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
