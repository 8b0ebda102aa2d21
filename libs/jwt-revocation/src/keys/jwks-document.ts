import type { JwtAlgorithm } from './jws-algorithms';

/** One verification key of a JWKS document (RFC 7517 §4): public members only. */
export interface PublicJwk {
  kty: 'RSA' | 'EC' | 'OKP';
  /** Absent only when a single key without `kid` is configured. */
  kid?: string;
  alg: JwtAlgorithm;
  use: 'sig';
  /** RSA modulus and exponent. */
  n?: string;
  e?: string;
  /** EC and OKP curve and coordinates. */
  crv?: string;
  x?: string;
  y?: string;
}

/** A JWK Set (RFC 7517 §5). */
export interface JwksDocument {
  keys: PublicJwk[];
}
