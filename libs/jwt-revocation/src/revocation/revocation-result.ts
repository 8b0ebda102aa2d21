/**
 * What a revocation did. It is always stored (durable) before the call resolves; `broadcast` says
 * whether the other instances were told: `'pending'` when the broadcaster failed or timed out
 * (`broadcastTimeoutMs`), in which case it is retried in the background and, at worst, other
 * instances stop accepting the revoked tokens once their cache entries expire (`cache.ttlMs`).
 */
export interface RevocationResult {
  stored: true;
  broadcast: 'sent' | 'pending';
}
