/**
 * Everything the library knows about each JWS algorithm (RFC 7518), in one table: which key
 * family it needs, how strong that key must be, and how its public key is published as a JWK.
 * Adding an algorithm is one row here; nothing else names algorithms.
 */

/** HMAC: a shared secret at least as long as the hash output (RFC 7518 §3.2). */
interface HmacAlgorithm {
  readonly family: 'hmac';
  readonly minSecretBytes: number;
}

/** Signatures with a key pair; `keyType` is Node's `asymmetricKeyType` the key must have. */
interface AsymmetricAlgorithm {
  readonly family: 'asymmetric';
  readonly keyType: 'rsa' | 'ec' | 'ed25519';
  /** RSA: smallest modulus accepted (RFC 7518 §3.3). */
  readonly minModulusBits?: number;
  /** RSA: smaller moduli get a startup warning (3072 bits ≈ 128-bit security, as ASVS level 2 asks; 2048 ≈ 112). */
  readonly recommendedModulusBits?: number;
  /** EC: the one curve the algorithm is defined on (RFC 7518 §3.4), as Node names it. */
  readonly namedCurve?: string;
  /** EC: the order n of the curve's base point (SEC 2), so only the low-S form (s ≤ n/2) of a signature is accepted. */
  readonly curveOrder?: bigint;
  /** JWK `kty` of the public key and the members that carry it (nothing private is listed). */
  readonly jwk: { readonly kty: 'RSA' | 'EC' | 'OKP'; readonly members: ReadonlyArray<'n' | 'e' | 'crv' | 'x' | 'y'> };
}

export type JwsAlgorithmSpec = HmacAlgorithm | AsymmetricAlgorithm;

const hmac = (minSecretBytes: number): HmacAlgorithm => ({ family: 'hmac', minSecretBytes });
const RSA_JWK = { kty: 'RSA', members: ['n', 'e'] } as const;
const rsa = (): AsymmetricAlgorithm => ({ family: 'asymmetric', keyType: 'rsa', minModulusBits: 2048, recommendedModulusBits: 3072, jwk: RSA_JWK });
const ec = (namedCurve: string, curveOrderHex: string): AsymmetricAlgorithm => ({
  family: 'asymmetric',
  keyType: 'ec',
  namedCurve,
  curveOrder: BigInt(`0x${curveOrderHex}`),
  jwk: { kty: 'EC', members: ['crv', 'x', 'y'] },
});

/** The algorithms the library signs and verifies with; `none` is not one of them, in any spelling. */
export const JWS_ALGORITHMS = {
  HS256: hmac(32),
  HS384: hmac(48),
  HS512: hmac(64),
  RS256: rsa(),
  RS384: rsa(),
  RS512: rsa(),
  PS256: rsa(),
  PS384: rsa(),
  PS512: rsa(),
  ES256: ec('prime256v1', 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  ES384: ec('secp384r1', 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
  ES512: ec(
    'secp521r1',
    '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
  ),
  EdDSA: { family: 'asymmetric', keyType: 'ed25519', jwk: { kty: 'OKP', members: ['crv', 'x'] } },
} as const satisfies Record<string, JwsAlgorithmSpec>;

/** Algorithms the library signs and verifies with. `none` is never accepted. */
export type JwtAlgorithm = keyof typeof JWS_ALGORITHMS;

/** The table row of a supported algorithm, or undefined for anything else (own keys only). */
export function jwsAlgorithm(algorithm: unknown): JwsAlgorithmSpec | undefined {
  return typeof algorithm === 'string' && Object.prototype.hasOwnProperty.call(JWS_ALGORITHMS, algorithm)
    ? JWS_ALGORITHMS[algorithm as JwtAlgorithm]
    : undefined;
}

export const SUPPORTED_ALGORITHMS: readonly JwtAlgorithm[] = Object.keys(JWS_ALGORITHMS) as JwtAlgorithm[];
