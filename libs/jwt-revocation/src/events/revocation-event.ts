/** What a revocation did; never carries a token. */
export type RevocationEventType =
  | 'logout'
  | 'logout-all'
  | 'session-revoked'
  | 'password-changed'
  | 'refresh-reuse-detected';

export interface RevocationEvent {
  type: RevocationEventType;
  userId: string;
  /** Sessions ended by it, when sessions are on. */
  sessionIds: string[];
  /** Epoch milliseconds. */
  at: number;
}
