import type { ExecutionContext } from '@nestjs/common';
import type { AuthRequest } from './auth-request';

/** The payload field a microservice message carries its access token in: `{ accessToken: '<token>', ...data }`. */
export const RPC_TOKEN_FIELD = 'accessToken';

const requests = new WeakMap<object, AuthRequest>();

/**
 * The request of a microservice message (`@MessagePattern`, `@EventPattern`). The token is the
 * payload's `accessToken` field, or an `authorization: Bearer <token>` header on transports that
 * carry headers (NATS, RabbitMQ, Kafka, gRPC metadata); both at once are refused, like two headers.
 * One object per message (keyed by the transport's context object, else the payload), so the user
 * the guard sets is what `@CurrentUser()` reads.
 */
export function rpcRequestOf(context: ExecutionContext): AuthRequest | undefined {
  const rpc = context.switchToRpc();
  const data = rpc.getData() as unknown;
  const transport = rpc.getContext() as unknown;
  const key = isObject(transport) ? transport : isObject(data) ? data : undefined;
  if (key === undefined) return undefined; // nothing to hang the user on: refused
  let request = requests.get(key);
  if (request === undefined) {
    request = { headers: { authorization: authorizationHeaderOf(transport) } };
    const token = isObject(data) ? (data as Record<string, unknown>)[RPC_TOKEN_FIELD] : undefined;
    if (token !== undefined) request.auth = { token };
    requests.set(key, request);
  }
  return request;
}

/** The `authorization` header of the transports that have headers; undefined for TCP, Redis, MQTT 3. */
function authorizationHeaderOf(transport: unknown): string | string[] | undefined {
  if (!isObject(transport)) return undefined;
  const ctx = transport as {
    getHeaders?: () => unknown;
    getMessage?: () => { headers?: Record<string, unknown>; properties?: { headers?: Record<string, unknown> } } | undefined;
    get?: (key: string) => unknown;
  };
  if (typeof ctx.getHeaders === 'function') {
    // NATS: MsgHdrs with get(); values are strings ('' when absent).
    const headers = ctx.getHeaders() as { get?: (name: string) => string } | undefined;
    const value = typeof headers?.get === 'function' ? headers.get('authorization') : undefined;
    return value ? value : undefined;
  }
  if (typeof ctx.getMessage === 'function') {
    const message = ctx.getMessage();
    const value = message?.properties?.headers?.authorization ?? message?.headers?.authorization; // RabbitMQ, Kafka
    return Buffer.isBuffer(value) ? value.toString('utf8') : (value as string | undefined);
  }
  if (typeof ctx.get === 'function') {
    // gRPC Metadata: an array of values; two are refused downstream as a repeated header.
    const values = ctx.get('authorization') as unknown[];
    if (Array.isArray(values) && values.length > 0) return values.length === 1 ? String(values[0]) : values.map(String);
  }
  return undefined;
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;
