/** Cookie mode after defaults and validation: the exact cookie names and attributes written. */
export interface ResolvedCookies {
  /** Name of the HttpOnly refresh cookie, prefix included. */
  readonly refreshCookie: string;
  /** Name of the script-readable CSRF cookie (always Path=/), prefix included. */
  readonly csrfCookie: string;
  /** Path of the refresh cookie. */
  readonly path: string;
  readonly secure: boolean;
  readonly sameSite: 'Strict' | 'Lax';
  /** Lower-case name of the header that carries the CSRF token. */
  readonly csrfHeader: string;
  /** Origins besides the request's own that may call cookie routes. */
  readonly trustedOrigins: ReadonlySet<string>;
  readonly clearSiteData: boolean;
  /** Key of the CSRF tokens (HMAC of the session id), derived from the refresh-token key. */
  readonly csrfKey: Buffer;
}
