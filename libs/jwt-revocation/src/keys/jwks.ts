import { Controller, Get, Header, Inject, Injectable } from '@nestjs/common';
import type { JsonWebKey } from 'node:crypto';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { JwtAlgorithm } from '../jwt-revocation.options';
import type { ResolvedOptions } from '../resolved-options';
import { Public } from '../decorators/public.decorator';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import type { KeyRing, VerificationKey } from './key-ring';

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

// An allow-list, not a deny-list: a member not named here (d, p, q, dp, dq, qi, k, oth...) never leaves.
const PUBLIC_MEMBERS: Record<PublicJwk['kty'], ReadonlyArray<'n' | 'e' | 'crv' | 'x' | 'y'>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};

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
  const kty = jwk.kty as PublicJwk['kty'];
  const members = PUBLIC_MEMBERS[kty];
  if (!members) {
    throw new JwtRevocationConfigError(`${name} has the unsupported JWK type ${String(jwk.kty)}`, 'Use an RSA, EC or Ed25519 key.');
  }
  const published: PublicJwk = { kty, ...(key.kid !== undefined ? { kid: key.kid } : {}), alg: key.algorithm, use: 'sig' };
  for (const member of members) {
    if (typeof jwk[member] === 'string') published[member] = jwk[member] as string;
  }
  return published;
}

/** The JWKS document of the configured keys, built once at startup; inject it into a route of your own. */
@Injectable()
export class JwksService {
  private readonly jwks: JwksDocument;

  constructor(@Inject(RESOLVED_OPTIONS) options: ResolvedOptions) {
    this.jwks = jwksDocument(options.keyRing);
  }

  document(): JwksDocument {
    return this.jwks;
  }
}

/**
 * Serves the public keys at `GET /.well-known/jwks.json`, open to anyone (`@Public()`), cached by
 * clients for 5 minutes: publish a new key at least that long before it starts signing. Add it to
 * your module's `controllers`.
 */
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly jwks: JwksService) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  document(): JwksDocument {
    return this.jwks.document();
  }
}
