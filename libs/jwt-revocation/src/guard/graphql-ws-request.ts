import type { AuthRequest } from './auth-request';

/** The graphql-ws connection context (`Context` of graphql-ws) as far as authentication reads it. */
export interface GraphqlWsContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra?: unknown;
}

const requests = new WeakMap<object, AuthRequest>();

/** Whether a GraphQL context's `req` is a graphql-ws connection context (a subscription over WebSocket). */
export function isGraphqlWsContext(value: unknown): value is GraphqlWsContext {
  return typeof value === 'object' && value !== null && 'connectionParams' in value && 'extra' in value && !('headers' in value);
}

/**
 * The request of a graphql-ws connection: its token comes from `connectionParams`, either
 * `authorization: 'Bearer <token>'` or `token: '<token>'` (both at once are refused, like two
 * headers). One object per connection, so the user the guard puts on it at each subscribe is what
 * `@CurrentUser()` reads in the subscription resolver.
 */
export function graphqlWsRequestOf(context: GraphqlWsContext): AuthRequest {
  let request = requests.get(context);
  if (request === undefined) {
    const params = context.connectionParams ?? {};
    request = { headers: { authorization: params.authorization as string | undefined } };
    if (params.token !== undefined) request.auth = { token: params.token };
    requests.set(context, request);
  }
  return request;
}
