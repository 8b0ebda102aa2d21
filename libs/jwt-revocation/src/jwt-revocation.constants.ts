/** Metadata key set by `@Public()`. */
export const IS_PUBLIC_KEY = 'jwt-revocation:is-public';

/** Metadata key set by `@Auth()`; holds the route's `AuthOptions`. */
export const AUTH_OPTIONS_KEY = 'jwt-revocation:auth-options';

/** Injection token of the `TokenVersionStore` in use. */
export const TOKEN_VERSION_STORE = Symbol('TOKEN_VERSION_STORE');

/** Injection token of the `SessionStore` in use. */
export const SESSION_STORE = Symbol('SESSION_STORE');

/** Injection token of the `RevocationBroadcaster` in use. */
export const REVOCATION_BROADCASTER = Symbol('REVOCATION_BROADCASTER');

/** Injection token of the options after defaults and validation. */
export const RESOLVED_OPTIONS = Symbol('JWT_REVOCATION_RESOLVED_OPTIONS');

/** Name under which the Passport strategy is registered. */
export const JWT_REVOCATION_STRATEGY = 'jwt-revocation';

/** `typ` claim values: an access token can never stand in for a refresh token or the reverse. */
export const ACCESS_TOKEN_TYPE = 'access';
