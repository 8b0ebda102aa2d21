import { Injectable } from '@nestjs/common';
import { AccessTokenVerifier } from '../access-tokens/access-token.verifier';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import { extractBearerToken, type TokenSource } from '../access-tokens/bearer-token.parser';
import { BearerAuthException, InvalidAuthRequestException } from '../errors/bearer-auth.exceptions';
import type { LiveCloseReason } from './live-close-reason';
import { LiveConnectionRegistry } from './live-connection.registry';

/** Emitted to a socket just before the server disconnects it: `{ reason }`. */
export const SOCKET_REVOKED_EVENT = 'revoked';
/** Sent by a client to re-authenticate its socket with a fresh token: `{ token }`, acknowledged with `{ ok, expiresAt }` or `{ ok: false, error }`. */
export const SOCKET_AUTHENTICATE_EVENT = 'authenticate';

/** The parts of a socket.io socket this binding uses (socket.io itself stays an optional peer). */
export interface LiveSocket {
  handshake: TokenSource & { auth?: Record<string, unknown>; headers?: Record<string, string | string[] | undefined>; user?: unknown };
  emit(event: string, ...args: unknown[]): unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  disconnect(close?: boolean): unknown;
}

/** A socket.io Server or Namespace: what a gateway's `afterInit(server)` receives. */
export interface LiveSocketServer {
  use(middleware: (socket: any, next: (error?: Error) => void) => void): unknown;
  on(event: 'connection', listener: (socket: any) => void): unknown;
}

/** What a refused client reads from `connect_error`: `error.message` and `error.data` (`{ status, error, message }`). */
export type SocketRefusal = Error & { data: { status: number; error: string; message: string } };

/**
 * Authenticates socket.io connections at the handshake and closes them on revocation or expiry.
 * Bind it once in your gateway: `afterInit(server) { this.live.bind(server); }`. Then:
 * - a connection without a valid token (`auth: { token }` or an `Authorization: Bearer` header) is
 *   refused: the client gets `connect_error` with `data: { status, error, message }`;
 * - `@CurrentUser()` works in the gateway's handlers (the guard still checks each message with `@Auth()`);
 * - when the token's session or user is revoked, on any instance, or the token expires, the server
 *   emits `revoked` with `{ reason }` and disconnects;
 * - a client keeps its socket past expiry by emitting `authenticate` with `{ token }` (a fresh token
 *   of the same user) before it expires.
 */
@Injectable()
export class SocketIoLiveConnections {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly registry: LiveConnectionRegistry,
  ) {}

  /**
   * Installs the handshake check on a socket.io server or namespace, and tracks each socket from
   * the moment it is connected (a handshake that passed but never connected leaves nothing behind).
   */
  bind(server: LiveSocketServer): void {
    server.use((socket: LiveSocket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (error: unknown) => next(refusal(error)),
      );
    });
    server.on('connection', (socket: LiveSocket) => {
      if (socket.handshake.user !== undefined) this.track(socket);
    });
  }

  /** Verifies the handshake token; the user is what `@CurrentUser()` reads until a message's guard check replaces it. */
  async authenticate(socket: LiveSocket): Promise<AuthenticatedUser> {
    const user = await this.verifier.verify(extractBearerToken(socket.handshake));
    socket.handshake.user = user;
    return user;
  }

  /** Closes the socket, with `revoked` first, when its user or session is revoked or its token expires. */
  track(socket: LiveSocket): void {
    const connection = this.registry.register(socket.handshake.user as AuthenticatedUser, (reason: LiveCloseReason) => {
      socket.emit(SOCKET_REVOKED_EVENT, { reason });
      socket.disconnect(true);
    });
    socket.once('disconnect', () => connection.unregister());
    socket.on(SOCKET_AUTHENTICATE_EVENT, (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: unknown) => void) : () => undefined;
      this.reauthenticate(socket, payload)
        .then((fresh) => {
          connection.reauthenticate(fresh);
          reply({ ok: true, expiresAt: fresh.expiresAt });
        })
        .catch((error: unknown) => reply({ ok: false, ...refusal(error).data }));
    });
  }

  /** A fresh token for the same user replaces the handshake's, so the guard checks later messages against it. */
  private async reauthenticate(socket: LiveSocket, payload: unknown): Promise<AuthenticatedUser> {
    const token = (payload as { token?: unknown } | null | undefined)?.token;
    if (typeof token !== 'string') throw new InvalidAuthRequestException();
    const fresh = await this.verifier.verify(token);
    const current = socket.handshake.user as AuthenticatedUser;
    if (fresh.id !== current.id) throw new InvalidAuthRequestException(); // a socket never changes hands
    const headers = socket.handshake.headers;
    if (headers?.authorization !== undefined) headers.authorization = `Bearer ${token}`;
    else socket.handshake.auth = { ...socket.handshake.auth, token };
    socket.handshake.user = fresh;
    return fresh;
  }
}

function refusal(error: unknown): SocketRefusal {
  const refused = new Error('Unauthorized') as SocketRefusal;
  if (error instanceof BearerAuthException) {
    const body = error.getResponse() as { error: string; message: string };
    refused.message = body.message;
    refused.data = { status: error.getStatus(), error: body.error, message: body.message };
  } else {
    refused.data = { status: 500, error: 'Internal Server Error', message: 'Authentication failed' };
  }
  return refused;
}
