import type { ExecutionContext } from '@nestjs/common';
import { graphqlWsRequestOf, isGraphqlWsContext } from './graphql-ws-request';
import { rpcRequestOf } from './rpc-request';

import type { AuthRequest } from './auth-request';

export type { AuthRequest } from './auth-request';

/**
 * The request behind an HTTP, GraphQL (queries, and subscriptions over graphql-ws), WebSocket or
 * microservice context; undefined for anything else, which the guard refuses. GraphQL is read from
 * the resolver's context argument so the core never imports @nestjs/graphql.
 */
export function requestOf(context: ExecutionContext): AuthRequest | undefined {
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getRequest();
  if (type === 'graphql') {
    const gqlContext = context.getArgs()[2] as { req?: AuthRequest; request?: AuthRequest } | undefined;
    const request = gqlContext?.req ?? gqlContext?.request;
    // A subscription over graphql-ws: Nest's Apollo driver puts the connection context on `req`.
    return isGraphqlWsContext(request) ? graphqlWsRequestOf(request) : request;
  }
  if (type === 'ws') {
    const client = context.switchToWs().getClient() as { handshake?: AuthRequest; request?: AuthRequest; data?: AuthRequest };
    return client.handshake ?? client.request;
  }
  if (type === 'rpc') return rpcRequestOf(context);
  return undefined;
}

/** The response to write auth headers on (Express or Fastify), when there is one. */
export function responseOf(context: ExecutionContext): unknown {
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getResponse();
  if (type === 'graphql') {
    const gqlContext = context.getArgs()[2] as { res?: unknown; reply?: unknown } | undefined;
    return gqlContext?.res ?? gqlContext?.reply;
  }
  return undefined;
}
