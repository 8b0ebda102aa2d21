import { HttpStatus, Logger, ServiceUnavailableException } from '@nestjs/common';
import { JWT_REVOCATION_DEFAULTS } from 'nestjs-jwt-revocation';

/** How long the demo waits on its own database: to connect, for one query (driver), for one call (here). */
export const DATABASE_TIMEOUTS = Object.freeze({ connectMs: 3000, queryMs: 5000, callMs: 3000 });

const logger = new Logger('Database');

/** The database did not answer (in time): 503 with `Retry-After`, like the library's "cannot know" answers. */
export class DatabaseUnavailableException extends ServiceUnavailableException {
  readonly headers = { 'Retry-After': String(JWT_REVOCATION_DEFAULTS.retryAfterSeconds) };
  constructor() {
    super({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', message: 'The database is not answering; try again shortly' });
  }
}

/**
 * Runs one of the demo's own database calls for at most `DATABASE_TIMEOUTS.callMs`; a failure or a
 * timeout is a 503 with Retry-After instead of a 500 or a request hanging on a silent database.
 * `expected` lets a caller keep an error that means something (a unique index refusing a duplicate).
 */
export async function databaseCall<T>(operation: () => Promise<T>, expected?: (error: unknown) => boolean): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeout()), DATABASE_TIMEOUTS.callMs);
  });
  const work = operation();
  work.catch(() => undefined); // one that fails after its timeout must not go unhandled
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    if (expected?.(error)) throw error;
    logger.error(`Database unavailable: ${error instanceof DatabaseTimeout ? `no answer within ${DATABASE_TIMEOUTS.callMs} ms` : ((error as Error)?.name ?? 'error')}`);
    throw new DatabaseUnavailableException();
  } finally {
    clearTimeout(timer);
  }
}

class DatabaseTimeout extends Error {
  override name = 'DatabaseTimeout';
}
