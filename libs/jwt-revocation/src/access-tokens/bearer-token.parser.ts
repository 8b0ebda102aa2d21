import { InvalidAuthRequestException, InvalidTokenException, MissingTokenException } from '../errors/bearer-auth.exceptions';

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Extracts the token from an `Authorization` header value: exactly `Bearer <token>`, the scheme
 * in any case, and a token of JWS shape. Anything else is refused before a byte of it is decoded.
 */
export function parseBearerHeader(header: unknown, maxTokenLength: number): string {
  return assertTokenShape(splitBearerHeader(header), maxTokenLength);
}

/** `Bearer <one token>` → the token, its shape not yet checked (the verifier checks it). */
function splitBearerHeader(header: unknown): string {
  if (header === undefined || header === null || header === '') throw new MissingTokenException();
  if (typeof header !== 'string') throw new InvalidAuthRequestException(); // repeated header
  const space = header.indexOf(' ');
  if (space === -1) {
    if (header.toLowerCase() === 'bearer') throw new InvalidAuthRequestException();
    throw new MissingTokenException(); // another scheme (Basic, ...) carries no bearer token
  }
  if (header.slice(0, space).toLowerCase() !== 'bearer') throw new MissingTokenException();
  const token = header.slice(space + 1);
  if (token.length === 0 || /[\s,]/.test(token)) throw new InvalidAuthRequestException();
  return token;
}

/**
 * Refuses oversized tokens, any character outside base64url and the two dots, and a signature
 * whose encoding is not canonical (unused low bits set), so one signature has one spelling.
 */
export function assertTokenShape(token: string, maxTokenLength: number): string {
  if (token.length > maxTokenLength || !JWS_COMPACT.test(token)) throw new InvalidTokenException();
  const signature = token.slice(token.lastIndexOf('.') + 1);
  if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) throw new InvalidTokenException();
  return token;
}

/** The parts of a request a bearer token may come from. */
export interface TokenSource {
  headers?: Record<string, string | string[] | undefined>;
  /** Node's header list as received (Express); Fastify keeps it on `raw`. */
  rawHeaders?: string[];
  raw?: { rawHeaders?: string[] };
  url?: string;
  query?: unknown;
  /** socket.io handshake `auth` payload. */
  auth?: unknown;
}

/**
 * The token of a request: `Authorization: Bearer` (for a WebSocket, its handshake header or
 * `auth.token`). A token in the query string is refused, never read. Its shape is checked by
 * `AccessTokenVerifier.verify()`, once, before anything is decoded.
 */
export function extractBearerToken(request: TokenSource): string {
  // Node's own request (Express) lists its headers as received; Fastify keeps that request on `raw`.
  const nodeRawHeaders = request.rawHeaders;
  const rawHeaders = nodeRawHeaders ?? request.raw?.rawHeaders;
  if (nodeRawHeaders === undefined || mayHaveQueryString(request.url)) {
    const query = request.query; // a getter that re-parses the URL on Express 5: read it once, and only when there is a query string
    if (query && typeof query === 'object' && 'access_token' in query) throw new InvalidAuthRequestException();
  }
  // Node keeps only the first of repeated Authorization headers; two credentials are refused, not picked from.
  if (rawHeaders && countAuthorizationHeaders(rawHeaders) > 1) throw new InvalidAuthRequestException();
  const headers = request.headers ?? {};
  const header = headers.authorization ?? headers.Authorization;
  // An HTTP request has no handshake payload: not looked up (on Express, a miss walks the whole prototype chain).
  if (rawHeaders !== undefined) return splitBearerHeader(header);
  const handshakeToken = (request.auth as { token?: unknown } | undefined)?.token;
  if (handshakeToken === undefined) return splitBearerHeader(header);
  // A socket's handshake token and an Authorization header are two credentials, equal or not: refused like two headers.
  if (typeof handshakeToken !== 'string' || header !== undefined) throw new InvalidAuthRequestException();
  return splitBearerHeader(`Bearer ${handshakeToken}`);
}

const mayHaveQueryString = (url: unknown) => typeof url !== 'string' || url.includes('?');

const AUTHORIZATION = 'authorization';

/** Compares names of the right length only: lower-casing every header name would allocate a string per header per request. */
function countAuthorizationHeaders(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === AUTHORIZATION.length && name.toLowerCase() === AUTHORIZATION) count++;
  }
  return count;
}
