import type { BearerAuthException } from './bearer-auth.exceptions';

/** An Express (`setHeader`) or Fastify (`header`) response, or anything else (left alone). */
type HeaderTarget = { header?: (name: string, value: string) => unknown; setHeader?: (name: string, value: string) => unknown };

/**
 * Writes the headers of an authentication failure (`WWW-Authenticate`, `Retry-After`) on a
 * response: the guard, the Passport strategy and your own refresh route use this one routine.
 */
export function writeAuthHeaders(response: unknown, error: Pick<BearerAuthException, 'headers'>): void {
  const target = response as HeaderTarget | undefined;
  for (const [name, value] of Object.entries(error.headers)) {
    if (typeof target?.header === 'function') target.header(name, value);
    else if (typeof target?.setHeader === 'function') target.setHeader(name, value);
  }
}
