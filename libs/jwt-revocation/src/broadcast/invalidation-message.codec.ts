import type { InvalidationMessage } from './revocation-broadcaster.interface';

/** Longer messages are not ours: no invalidation comes near it. */
export const MAX_INVALIDATION_MESSAGE_LENGTH = 64 * 1024;
/** Instance ids are short random strings; anything longer is not one of ours. */
const MAX_INSTANCE_ID_LENGTH = 128;

/** The wire form every transport carries: one JSON text per message. */
export function encodeInvalidation(message: InvalidationMessage): string {
  return JSON.stringify(message);
}

/**
 * Reads a message received from a transport; anything malformed or foreign is `undefined` and
 * ignored, so a stray publisher on the same channel can neither crash nor steer an instance.
 * An envelope field that is present must be well formed, or the whole message is refused.
 */
export function decodeInvalidation(raw: string): InvalidationMessage | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_INVALIDATION_MESSAGE_LENGTH) return undefined;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return undefined; // not ours
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const envelope = envelopeOf(value);
  if (!envelope) return undefined;
  if (value.kind === 'user' && typeof value.userId === 'string') return { kind: 'user', userId: value.userId, ...envelope };
  if (value.kind === 'sessions' && Array.isArray(value.sessionIds) && value.sessionIds.every((id) => typeof id === 'string')) {
    return { kind: 'sessions', sessionIds: value.sessionIds as string[], ...envelope };
  }
  if (value.kind === 'everyone' && Number.isSafeInteger(value.revokedBefore) && (value.revokedBefore as number) >= 0) {
    return { kind: 'everyone', revokedBefore: value.revokedBefore as number, ...envelope };
  }
  // A heartbeat or a leaving notice means nothing without its sender, its sequence and its time.
  if ((value.kind === 'heartbeat' || value.kind === 'leaving') && envelope.from !== undefined && envelope.seq !== undefined && envelope.sentAt !== undefined) {
    return { kind: value.kind, ...envelope };
  }
  return undefined;
}

type Envelope = { sentAt?: number; from?: string; seq?: number };

function envelopeOf(value: Record<string, unknown>): Envelope | undefined {
  const envelope: Envelope = {};
  if (value.sentAt !== undefined) {
    if (!Number.isFinite(value.sentAt)) return undefined;
    envelope.sentAt = value.sentAt as number;
  }
  if (value.from !== undefined) {
    if (typeof value.from !== 'string' || value.from.length === 0 || value.from.length > MAX_INSTANCE_ID_LENGTH) return undefined;
    envelope.from = value.from;
  }
  if (value.seq !== undefined) {
    if (!Number.isSafeInteger(value.seq) || (value.seq as number) < 0) return undefined;
    envelope.seq = value.seq as number;
  }
  // A sequence number means nothing without the publisher it counts for.
  if ((envelope.seq === undefined) !== (envelope.from === undefined)) return undefined;
  return envelope;
}
