import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { BearerAuthException } from './bearer-auth.exceptions';
import { writeAuthHeaders } from './auth-headers';

/**
 * Writes the headers a `BearerAuthException` carries (`WWW-Authenticate` on a 401, `Retry-After`
 * on a 503) when one is thrown from your own code, then answers as Nest does. The guard writes them
 * itself, and the module's interceptor for any route handler; opt in for the rest (your own guards,
 * middleware), once:
 * `{ provide: APP_FILTER, useClass: BearerAuthExceptionFilter }` (Express and Fastify).
 */
@Catch(BearerAuthException)
export class BearerAuthExceptionFilter extends BaseExceptionFilter {
  override catch(exception: BearerAuthException, host: ArgumentsHost): void {
    if (host.getType() === 'http') writeAuthHeaders(host.switchToHttp().getResponse(), exception);
    super.catch(exception, host);
  }
}
