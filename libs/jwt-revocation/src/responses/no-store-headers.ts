/** RFC 6749 §5.1: a response carrying a token must not be cached by the client or anything between. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });

type HeaderTarget = { header?: (name: string, value: string) => unknown; setHeader?: (name: string, value: string) => unknown };

/** Writes `Cache-Control: no-store` and `Pragma: no-cache` on an Express or Fastify response. */
export function writeNoStoreHeaders(response: unknown): void {
  const target = response as HeaderTarget | undefined;
  for (const [name, value] of Object.entries(NO_STORE_HEADERS)) {
    if (typeof target?.setHeader === 'function') target.setHeader(name, value);
    else if (typeof target?.header === 'function') target.header(name, value);
  }
}

type TokenFields = { accessToken?: unknown; refreshToken?: unknown; access_token?: unknown; refresh_token?: unknown };

/** True for a response body that hands out a token (a `TokenPair`, or an OAuth-style token response). */
export function carriesToken(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  // Runs on every Express JSON response: four named reads, no array walk or closure per body.
  const fields = body as TokenFields;
  return (
    typeof fields.accessToken === 'string' ||
    typeof fields.refreshToken === 'string' ||
    typeof fields.access_token === 'string' ||
    typeof fields.refresh_token === 'string'
  );
}
