import type { ExecutionContext } from '@nestjs/common';

/** The parts of a request the guard reads and writes, whatever the transport. */
export interface AuthRequest {
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  user?: unknown;
  [key: string]: unknown;
}

/**
 * The request behind an HTTP, GraphQL or WebSocket context; undefined for anything else, which
 * the guard refuses. GraphQL is read from the resolver's context argument so the core never
 * imports @nestjs/graphql.
 */
export function requestOf(context: ExecutionContext): AuthRequest | undefined {
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getRequest();
  if (type === 'graphql') {
    const gqlContext = context.getArgs()[2] as { req?: AuthRequest; request?: AuthRequest } | undefined;
    return gqlContext?.req ?? gqlContext?.request;
  }
  if (type === 'ws') {
    const client = context.switchToWs().getClient() as { handshake?: AuthRequest; request?: AuthRequest; data?: AuthRequest };
    return client.handshake ?? client.request;
  }
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
