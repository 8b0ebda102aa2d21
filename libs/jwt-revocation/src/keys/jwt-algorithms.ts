import type { JwtAlgorithm } from '../jwt-revocation.options';

export const HMAC_ALGORITHMS: ReadonlySet<string> = new Set(['HS256', 'HS384', 'HS512']);

export const SUPPORTED_ALGORITHMS: ReadonlySet<string> = new Set<JwtAlgorithm>([
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]);

/** The key type each asymmetric family needs, so an RSA key can never verify an ES256 token. */
export function expectedKeyType(algorithm: JwtAlgorithm): string | undefined {
  if (algorithm.startsWith('RS') || algorithm.startsWith('PS')) return 'rsa';
  if (algorithm.startsWith('ES')) return 'ec';
  if (algorithm === 'EdDSA') return 'ed25519';
  return undefined;
}

/** RFC 7518 §3.2: an HMAC key at least as long as the hash output (32, 48, 64 bytes). */
export function minHmacSecretBytes(algorithm: JwtAlgorithm): number {
  return algorithm === 'HS512' ? 64 : algorithm === 'HS384' ? 48 : 32;
}
