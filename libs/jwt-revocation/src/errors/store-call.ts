import { Logger } from '@nestjs/common';
import { RevocationUnavailableException } from './bearer-auth.exceptions';
import { JwtRevocationConfigError } from './jwt-revocation-config.error';
import { JWT_REVOCATION_DEFAULTS } from '../options/jwt-revocation.defaults';

const logger = new Logger('JwtRevocation');

/** What bounds a store call and what the 503 says. */
export interface StoreCallLimits {
  readonly retryAfterSeconds: number;
  readonly storeTimeoutMs: number;
}

/** A store call that did not answer within `storeTimeoutMs`. */
export class StoreTimeoutError extends Error {
  override name = 'StoreTimeoutError';
}

/**
 * Runs a store operation for at most `storeTimeoutMs`; a failure or a timeout becomes a 503 with
 * `Retry-After` that names nothing internal, so a revocation never answers 2xx unless it was
 * stored, and no request waits on a silent database. A write may still land after its timeout:
 * `lateSuccess` then runs with its result (a revocation announces itself late rather than never).
 */
export async function callStore<T>(
  operation: () => Promise<T>,
  limitsOrRetryAfter: StoreCallLimits | number,
  telemetry?: { storeFailed(): void },
  lateSuccess?: (result: T) => unknown,
): Promise<T> {
  // A bare number is Retry-After alone (older callers): the default timeout bounds the call.
  const limits =
    typeof limitsOrRetryAfter === 'number'
      ? { retryAfterSeconds: limitsOrRetryAfter, storeTimeoutMs: JWT_REVOCATION_DEFAULTS.storeTimeoutMs }
      : limitsOrRetryAfter;
  try {
    return await withinStoreTimeout(operation, limits.storeTimeoutMs, (result) => {
      if (lateSuccess) void Promise.resolve().then(() => lateSuccess(result)).catch(() => undefined);
    });
  } catch (error) {
    // A store refusing because it is set up wrong is no outage: say what to fix, not "retry".
    if (error instanceof RevocationUnavailableException || error instanceof JwtRevocationConfigError) throw error;
    telemetry?.storeFailed();
    const what = error instanceof StoreTimeoutError ? `no answer within ${limits.storeTimeoutMs} ms` : ((error as Error)?.name ?? 'error');
    logger.error(`Revocation store unavailable: ${what}`);
    throw new RevocationUnavailableException(limits.retryAfterSeconds);
  }
}

/**
 * `operation`'s result, or a `StoreTimeoutError` after `timeoutMs` (the operation is not
 * cancelled: `late` hears of its success if it comes after the timeout).
 */
export function withinStoreTimeout<T>(operation: () => Promise<T>, timeoutMs: number, late?: (result: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new StoreTimeoutError(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    Promise.resolve()
      .then(operation)
      .then(
        (result) => {
          if (settled) return late?.(result);
          settled = true;
          clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      );
  });
}
