import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import type { ResolvedOptions, ResolvedSessions } from '../options/resolved-options';

/** The sessions part of the options, or the error a session method gives when sessions are off. */
export function sessionsOf(options: ResolvedOptions): ResolvedSessions {
  if (!options.sessions) {
    throw new JwtRevocationConfigError('sessions are off', 'Enable `sessions` and give a `sessionStore` to use refresh tokens and sessions.');
  }
  return options.sessions;
}
