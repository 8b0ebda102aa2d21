/**
 * App claims the library cannot put in an access token (a reserved name, a value that is not
 * plain JSON, a token over `maxTokenLength`): a mistake in the app's code, thrown before any
 * token is issued or any session stored. The message says which claim and how to fix it.
 */
export class AccessTokenClaimsError extends Error {
  override name = 'AccessTokenClaimsError';
  constructor(problem: string, fix: string) {
    super(`JwtRevocationModule: ${problem}. ${fix}`);
  }
}
