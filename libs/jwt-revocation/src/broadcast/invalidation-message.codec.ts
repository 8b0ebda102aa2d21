import type { InvalidationMessage } from './revocation-broadcaster.interface';

/** Longer messages are not ours: no invalidation comes near it. */
export const MAX_INVALIDATION_MESSAGE_LENGTH = 64 * 1024;

/** The wire form every transport carries: one JSON text per message. */
export function encodeInvalidation(message: InvalidationMessage): string {
  return JSON.stringify(message);
}

/**
 * Reads a message received from a transport; anything malformed or foreign is `undefined` and
 * ignored, so a stray publisher on the same channel can neither crash nor steer an instance.
 */
export function decodeInvalidation(raw: string): InvalidationMessage | undefined {
  if (raw.length > MAX_INVALIDATION_MESSAGE_LENGTH) return undefined;
  try {
    const value = JSON.parse(raw) as { kind?: unknown; userId?: unknown; sessionIds?: unknown[]; revokedBefore?: unknown; sentAt?: unknown };
    const sentAt = Number.isFinite(value.sentAt) ? { sentAt: value.sentAt as number } : {};
    if (value.kind === 'user' && typeof value.userId === 'string') return { kind: 'user', userId: value.userId, ...sentAt };
    if (value.kind === 'sessions' && Array.isArray(value.sessionIds) && value.sessionIds.every((id) => typeof id === 'string')) {
      return { kind: 'sessions', sessionIds: value.sessionIds, ...sentAt };
    }
    if (value.kind === 'everyone' && Number.isSafeInteger(value.revokedBefore) && (value.revokedBefore as number) >= 0) {
      return { kind: 'everyone', revokedBefore: value.revokedBefore as number, ...sentAt };
    }
  } catch {
    // not ours
  }
  return undefined;
}
