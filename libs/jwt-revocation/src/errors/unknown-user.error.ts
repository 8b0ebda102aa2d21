/**
 * A token call named no user, or one the token version store does not know: a mistake in the
 * app's code (often `@CurrentUser('id')` on a route no guard protects), never reported as success.
 */
export class UnknownUserError extends Error {
  override name = 'UnknownUserError';

  constructor(method: string, userId: unknown) {
    super(
      isUserId(userId)
        ? `JwtRevocationModule: ${method} was given user "${String(userId)}", which the token version store does not know; nothing was issued or revoked. Pass the id of an existing user (the one your versions live on).`
        : `JwtRevocationModule: ${method} was given no user id (${describe(userId)}); nothing was issued or revoked. Is the route protected (the global guard or @Auth()), so that @CurrentUser('id') is set?`,
    );
  }
}

/** A user id the library accepts: a non-empty string or a safe integer. */
export function isUserId(userId: unknown): userId is string | number {
  return (typeof userId === 'string' && userId.length > 0) || (typeof userId === 'number' && Number.isSafeInteger(userId));
}

function describe(value: unknown): string {
  if (value === '') return 'an empty string';
  if (value === null || value === undefined) return String(value);
  return `a ${typeof value}`;
}
