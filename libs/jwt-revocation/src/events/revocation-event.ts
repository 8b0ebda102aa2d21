/** What a revocation did; never carries a token. */
export type RevocationEventType =
  | 'logout'
  | 'logout-all'
  | 'session-revoked'
  | 'password-changed'
  | 'refresh-reuse-detected'
  | 'logout-everyone';

export interface RevocationEvent {
  type: RevocationEventType;
  /** The user concerned; `'*'` for `logout-everyone`, which concerns every user. */
  userId: string;
  /** Sessions ended by it, when sessions are on. */
  sessionIds: string[];
  /** Epoch milliseconds. */
  at: number;
}
