import type { JsonWebKey } from 'node:crypto';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { jwsAlgorithm } from './jws-algorithms';
import type { JwksDocument, PublicJwk } from './jwks-document';
import type { KeyRing, VerificationKey } from './key-ring';

/**
 * The public keys of a key ring as a JWKS document. HMAC keys have no public part and are left
 * out, so an HS*-only configuration yields `{ keys: [] }`.
 */
export function jwksDocument(keyRing: Pick<KeyRing, 'publicKeys'>): JwksDocument {
  return { keys: keyRing.publicKeys().map(toPublicJwk) };
}

function toPublicJwk(key: VerificationKey): PublicJwk {
  const name = key.kid === undefined ? `the ${key.algorithm} key` : `key "${key.kid}"`;
  const publicKey = key.publicKey;
  // Defence in depth: only a key object of type "public" is ever exported.
  if (publicKey?.type !== 'public') {
    throw new JwtRevocationConfigError(`${name} has no public key to publish`, 'Give it a `publicKey` or a `privateKey`.');
  }
  let jwk: JsonWebKey;
  try {
    jwk = publicKey.export({ format: 'jwk' });
  } catch {
    throw new JwtRevocationConfigError(
      `${name} (${publicKey.asymmetricKeyType}) cannot be published as a JWK`,
      'Use an RSA, EC (P-256, P-384, P-521) or Ed25519 key.',
    );
  }
  const spec = jwsAlgorithm(key.algorithm);
  // An allow-list from the algorithm table: a member not named there (d, p, q, k, oth...) never leaves.
  if (spec?.family !== 'asymmetric' || jwk.kty !== spec.jwk.kty) {
    throw new JwtRevocationConfigError(`${name} has the unsupported JWK type ${String(jwk.kty)}`, 'Use an RSA, EC or Ed25519 key.');
  }
  const published: PublicJwk = { kty: spec.jwk.kty, ...(key.kid !== undefined ? { kid: key.kid } : {}), alg: key.algorithm, use: 'sig' };
  for (const member of spec.jwk.members) {
    if (typeof jwk[member] === 'string') published[member] = jwk[member] as string;
  }
  return published;
}
