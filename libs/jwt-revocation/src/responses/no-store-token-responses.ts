import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { carriesToken, writeNoStoreHeaders } from './no-store-headers';

type FastifyInstanceLike = {
  addHook(name: 'onSend', hook: (request: unknown, reply: unknown, payload: unknown, done: (error: null, payload: unknown) => void) => void): unknown;
};
type ExpressAppLike = { response?: { json?: (this: unknown, body: unknown) => unknown } };

/** Marks an app's `response.json` once wrapped, so a second module instance does not wrap it again. */
const WRAPPED = Symbol.for('nestjs-jwt-revocation.no-store-json');

/**
 * Every HTTP response whose body carries an access or refresh token gets `Cache-Control: no-store`
 * and `Pragma: no-cache` (RFC 6749 §5.1), whatever the app forgot. Done with one platform hook at
 * bootstrap rather than a global Nest interceptor, which costs every request of every route. Routes
 * that hand out tokens another way (only in a cookie, or with `@Res()`) use `@NoStore()`.
 */
@Injectable()
export class NoStoreTokenResponses implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  // onModuleInit runs after the routes are registered but before Fastify is ready, which is when
  // Fastify binds root hooks to its routes; Express reads `app.response` at each request.
  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter) return; // a microservice or a standalone context: no HTTP responses
    const instance = adapter.getInstance?.() as unknown;
    if (!instance) return;
    if (adapter.getType() === 'fastify') hookFastify(instance as FastifyInstanceLike);
    else if (adapter.getType() === 'express') wrapExpressJson(instance as ExpressAppLike);
  }
}

/** Fastify serializes an object body before onSend: a string that names no token field is not parsed. */
function hookFastify(fastify: FastifyInstanceLike): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (typeof payload === 'string' && mayCarryToken(payload) && carriesToken(parseOrNull(payload))) writeNoStoreHeaders(reply);
    done(null, payload);
  });
}

/** Nest's ExpressAdapter answers an object body with `response.json(body)`; each express app has its own `response` prototype. */
function wrapExpressJson(app: ExpressAppLike): void {
  const response = app.response;
  const json = response?.json;
  if (!response || typeof json !== 'function' || (json as unknown as Record<symbol, unknown>)[WRAPPED]) return;
  const wrapped = function (this: unknown, body: unknown) {
    if (carriesToken(body)) writeNoStoreHeaders(this);
    return json.call(this, body);
  };
  (wrapped as unknown as Record<symbol, unknown>)[WRAPPED] = true;
  response.json = wrapped;
}

// Runs on every response: a plain substring search (every field name below ends so) skips the regex on almost all of them.
const mayCarryToken = (payload: string) =>
  payload.charCodeAt(0) === 123 /* { */ && payload.includes('oken"') && /"(access|refresh)_?[Tt]oken"/.test(payload);

function parseOrNull(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return null;
  }
}
