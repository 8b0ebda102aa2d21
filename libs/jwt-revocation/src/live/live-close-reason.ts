/**
 * Why the server closed a live connection; what a socket.io client receives as `revoked`
 * `{ reason }`, a graphql-ws client as the close reason, an SSE client in the last `revoked` event.
 * Derived from the invalidation itself, so every instance gives the same reason for one revocation:
 * - `session-revoked`: the token's session ended (logout, session revoke, reuse detection, session cap, user deleted).
 * - `tokens-revoked`: every token of the user issued before now was revoked (logout-all, password change).
 * - `everyone-revoked`: `logoutEveryone()`.
 * - `expired`: the token expired and the client did not re-authenticate on the connection.
 * - `unverifiable`: a revocation arrived and the store could not confirm the token is still current (fail closed).
 * After a broadcaster reconnect every connection is checked against the store, with the same reasons
 * (a missed everyone-out reads `tokens-revoked`).
 */
export type LiveCloseReason = 'session-revoked' | 'tokens-revoked' | 'everyone-revoked' | 'expired' | 'unverifiable';
