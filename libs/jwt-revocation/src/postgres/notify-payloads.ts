import type { InvalidationMessage } from '../broadcast/revocation-broadcaster.interface';
import { encodeInvalidation } from '../broadcast/invalidation-message.codec';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (default build). */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7999;

/**
 * The NOTIFY payloads carrying `message`: one, unless a `sessions` message is too long, which is
 * split into several carrying parts of its ids (every other field copied), since dropping a
 * subset of sessions is as correct as dropping them all at once.
 */
export function notifyPayloads(message: InvalidationMessage, maxBytes = MAX_NOTIFY_PAYLOAD_BYTES): string[] {
  const whole = encodeInvalidation(message);
  if (Buffer.byteLength(whole) <= maxBytes) return [whole];
  if (message.kind !== 'sessions' || message.sessionIds.length < 2) {
    throw new Error(`Invalidation message of ${Buffer.byteLength(whole)} bytes does not fit a PostgreSQL NOTIFY payload (max ${maxBytes})`);
  }
  const half = Math.ceil(message.sessionIds.length / 2);
  return [
    ...notifyPayloads({ ...message, sessionIds: message.sessionIds.slice(0, half) }, maxBytes),
    ...notifyPayloads({ ...message, sessionIds: message.sessionIds.slice(half) }, maxBytes),
  ];
}
