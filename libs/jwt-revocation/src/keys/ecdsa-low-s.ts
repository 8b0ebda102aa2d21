/**
 * ECDSA signatures are malleable: if (r, s) verifies, so does (r, n − s). JWS carries them as the
 * raw concatenation r ‖ s (RFC 7518 §3.4); accepting only s ≤ n/2 gives each signature one spelling.
 */

/** Bytes of r (and of s) in a JWS signature on a curve of this order. */
const componentBytes = (order: bigint) => Math.ceil(order.toString(2).length / 8);

/** True when the base64url JWS signature is r ‖ s of the right length with 0 < s ≤ n/2. */
export function isLowS(signature: string, order: bigint): boolean {
  const raw = Buffer.from(signature, 'base64url');
  const bytes = componentBytes(order);
  if (raw.length !== 2 * bytes) return false;
  const s = BigInt(`0x${raw.subarray(bytes).toString('hex')}`);
  return s > 0n && s <= order / 2n;
}

/** The low-S spelling of a base64url JWS signature (OpenSSL signs either form). */
export function toLowS(signature: string, order: bigint): string {
  const raw = Buffer.from(signature, 'base64url');
  const bytes = componentBytes(order);
  const s = BigInt(`0x${raw.subarray(bytes).toString('hex')}`);
  if (s <= order / 2n) return signature;
  const lowS = Buffer.from((order - s).toString(16).padStart(bytes * 2, '0'), 'hex');
  return Buffer.concat([raw.subarray(0, bytes), lowS]).toString('base64url');
}
