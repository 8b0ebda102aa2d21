import { decodeInvalidation } from '../broadcast/invalidation-message.codec';
import { MAX_NOTIFY_PAYLOAD_BYTES, notifyPayloads } from './notify-payloads';

describe('notifyPayloads', () => {
  it('sends a message that fits as one payload', () => {
    expect(notifyPayloads({ kind: 'user', userId: '42', sentAt: 1 })).toEqual(['{"kind":"user","userId":"42","sentAt":1}']);
  });

  it('splits a sessions message over the NOTIFY limit into payloads that fit and together carry every id once', () => {
    const sessionIds = Array.from({ length: 1000 }, (_, i) => `${i}-5f0c3a52-2f7e-4d9b-9a57-0c8c0f1ad6e1`);
    const payloads = notifyPayloads({ kind: 'sessions', sessionIds, sentAt: 7 });
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_NOTIFY_PAYLOAD_BYTES);
    const decoded = payloads.map((payload) => decodeInvalidation(payload));
    expect(decoded.every((message) => message?.kind === 'sessions' && message.sentAt === 7)).toBe(true);
    expect(decoded.flatMap((message) => (message?.kind === 'sessions' ? message.sessionIds : []))).toEqual(sessionIds);
  });

  it('refuses, rather than truncates, a message that cannot be split to fit', () => {
    expect(() => notifyPayloads({ kind: 'user', userId: 'x'.repeat(9000) })).toThrow(/does not fit a PostgreSQL NOTIFY payload/);
  });
});
