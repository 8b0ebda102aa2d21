import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import type { LiveCloseReason } from './live-close-reason';

/** Ends one live connection (socket, subscription socket, event stream), telling the client why. */
export type CloseLiveConnection = (reason: LiveCloseReason) => void;

/** A connection held open with a token, as the registry tracks it. */
export interface LiveConnection {
  /** The user of the token the connection is currently authenticated with. */
  readonly user: AuthenticatedUser;
  /** Whether the connection is still registered (not closed, not unregistered). */
  readonly open: boolean;
  /** The client re-authenticated with a fresh token of the same user: revocation and expiry now follow that token. */
  reauthenticate(user: AuthenticatedUser): void;
  /** The connection ended on its own (client left): forget it. Idempotent. */
  unregister(): void;
}
