import { Injectable } from '@nestjs/common';
import { AccessTokenVerifier } from '../access-tokens/access-token.verifier';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import { extractBearerToken } from '../access-tokens/bearer-token.parser';
import { RevocationUnavailableException } from '../errors/bearer-auth.exceptions';
import { graphqlWsRequestOf, type GraphqlWsContext } from '../guard/graphql-ws-request';
import type { LiveConnection } from './live-connection';
import { LiveConnectionRegistry } from './live-connection.registry';

/**
 * The close code of a graphql-ws connection refused at connect, revoked or expired (graphql-ws's
 * own `Forbidden`); the close reason is the `LiveCloseReason` (or `Forbidden` at connect).
 * graphql-ws clients retry it, calling a `connectionParams` function again for a fresh token.
 */
export const GRAPHQL_WS_REVOKED_CLOSE_CODE = 4403;
/** The close code when the revocation state cannot be read at connect (WebSocket "Try Again Later"). */
export const GRAPHQL_WS_UNAVAILABLE_CLOSE_CODE = 1013;

/** The parts of graphql-ws's server options this binding provides. */
export interface GraphqlWsAuthOptions {
  onConnect(context: GraphqlWsContext): Promise<boolean>;
  onClose(context: GraphqlWsContext): void;
}

interface ClosableSocket {
  close(code: number, reason: string): void;
}

/**
 * Authenticates graphql-ws connections from `connectionParams` (`{ authorization: 'Bearer <token>' }`
 * or `{ token }`) and closes them with 4403 when the token's session or user is revoked, on any
 * instance, or when it expires. Spread its options into the driver's:
 * `subscriptions: { 'graphql-ws': live.serverOptions() }` (GraphQLModule.forRootAsync, inject
 * `GraphqlWsLiveConnections`). The guard verifies the token again at each subscribe, and
 * `@CurrentUser()` works in subscription resolvers.
 */
@Injectable()
export class GraphqlWsLiveConnections {
  private readonly connections = new WeakMap<object, LiveConnection>();

  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly registry: LiveConnectionRegistry,
  ) {}

  serverOptions(): GraphqlWsAuthOptions {
    return {
      onConnect: (context) => this.connect(context),
      onClose: (context) => this.connections.get(context)?.unregister(),
    };
  }

  /** False refuses the connection (graphql-ws closes it with 4403 Forbidden). */
  private async connect(context: GraphqlWsContext): Promise<boolean> {
    const request = graphqlWsRequestOf(context);
    let user: AuthenticatedUser;
    try {
      user = await this.verifier.verify(extractBearerToken(request));
    } catch (error) {
      if (error instanceof RevocationUnavailableException) socketOf(context)?.close(GRAPHQL_WS_UNAVAILABLE_CLOSE_CODE, 'Try again later');
      return false;
    }
    request.user = user;
    const socket = socketOf(context);
    this.connections.set(
      context,
      this.registry.register(user, (reason) => socket?.close(GRAPHQL_WS_REVOKED_CLOSE_CODE, reason)),
    );
    return true;
  }
}

function socketOf(context: GraphqlWsContext): ClosableSocket | undefined {
  const socket = (context.extra as { socket?: ClosableSocket } | undefined)?.socket;
  return typeof socket?.close === 'function' ? socket : undefined;
}
