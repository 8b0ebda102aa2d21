/** Per-route authentication options, set with `@Auth()`. */
export interface AuthOptions {
  /** Skip the cache and read the source of truth (payments, password change). Default false. */
  strict?: boolean;
}
