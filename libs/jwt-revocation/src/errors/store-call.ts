import { Logger } from '@nestjs/common';
import { RevocationUnavailableException } from './bearer-auth.exceptions';
import { JwtRevocationConfigError } from './jwt-revocation-config.error';

const logger = new Logger('JwtRevocation');

/**
 * Runs a store operation; a failure becomes a 503 that names nothing internal, so a revocation
 * never answers 2xx unless it was stored.
 */
export async function callStore<T>(operation: () => Promise<T>, retryAfterSeconds: number, telemetry?: { storeFailed(): void }): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    // A store refusing because it is set up wrong is no outage: say what to fix, not "retry".
    if (error instanceof RevocationUnavailableException || error instanceof JwtRevocationConfigError) throw error;
    telemetry?.storeFailed();
    logger.error(`Revocation store unavailable: ${(error as Error)?.name ?? 'error'}`);
    throw new RevocationUnavailableException(retryAfterSeconds);
  }
}
