import { AccessTokenClaimsError } from '../errors/access-token-claims.error';

/** Claims the library writes itself; an app claim may not take their names. */
export const RESERVED_CLAIMS: readonly string[] = ['sub', 'typ', 'jti', 'sid', 'iat', 'exp', 'nbf', 'iss', 'aud'];

/** Deeper nesting than this is refused: claims are roles and flags, not documents. */
const MAX_DEPTH = 16;

/**
 * Checks app claims before they are signed: no reserved name (nor the version claim), and
 * nothing but plain JSON values (strings, finite numbers, booleans, null, arrays, plain objects).
 */
export function assertAppClaims(claims: unknown, versionClaim: string, source: string): asserts claims is Record<string, unknown> {
  if (!isPlainObject(claims)) {
    throw new AccessTokenClaimsError(`${source} returned ${describe(claims)}, not an object of claims`, 'Return a plain object, e.g. `{ roles: ["admin"] }`.');
  }
  for (const [name, value] of Object.entries(claims)) {
    if (name === '__proto__') throw new AccessTokenClaimsError(`${source} sets a claim named "__proto__"`, 'Name it differently.');
    if (name === versionClaim || RESERVED_CLAIMS.includes(name)) {
      throw new AccessTokenClaimsError(
        `${source} sets the reserved claim "${name}"`,
        `The library writes ${[...RESERVED_CLAIMS, versionClaim].join(', ')} itself; name yours differently (e.g. "roles", "tenant").`,
      );
    }
    assertJson(value, `${source}.${name}`, 0, new Set());
  }
}

function assertJson(value: unknown, path: string, depth: number, seen: Set<object>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw notJson(path, String(value));
  }
  if (typeof value !== 'object') throw notJson(path, describe(value));
  if (depth >= MAX_DEPTH) throw new AccessTokenClaimsError(`${path} nests deeper than ${MAX_DEPTH} levels`, 'Keep claims flat: roles, ids, flags.');
  if (seen.has(value)) throw notJson(path, 'a circular reference');
  if (!Array.isArray(value) && !isPlainObject(value)) throw notJson(path, describe(value));
  seen.add(value);
  for (const [key, inner] of Object.entries(value)) assertJson(inner, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, depth + 1, seen);
  seen.delete(value);
}

const notJson = (path: string, what: string) =>
  new AccessTokenClaimsError(`${path} is ${what}, not a plain JSON value`, 'Use strings, finite numbers, booleans, null, arrays and plain objects (a Date as an ISO string or epoch number).');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return 'a bigint';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'non-plain object'}`;
  return typeof value;
}

/** The app's claims of a verified payload: everything the library did not write. */
export function appClaimsOf(payload: Record<string, unknown>, versionClaim: string): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const name in payload) {
    if (name === versionClaim || RESERVED_CLAIMS.includes(name) || !Object.prototype.hasOwnProperty.call(payload, name)) continue;
    // Defined, not assigned: a "__proto__" claim from JSON.parse must stay a plain property.
    Object.defineProperty(claims, name, { value: payload[name], enumerable: true, writable: true, configurable: true });
  }
  return claims;
}
