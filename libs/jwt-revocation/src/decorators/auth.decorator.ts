import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { AUTH_OPTIONS_KEY, IS_PUBLIC_KEY } from '../jwt-revocation.constants';
import { JwtRevocationGuard } from '../jwt-revocation.guard';
import { applyOptionalSwaggerDocs } from './optional-swagger-docs';

/** Per-route authentication options. */
export interface AuthOptions {
  /** Skip the cache and read the source of truth (payments, password change). Default false. */
  strict?: boolean;
}

/**
 * Protects a route or controller explicitly, also when the global guard is off; on a handler it
 * wins over the controller's `@Public()`. Documents the bearer scheme when @nestjs/swagger is installed.
 */
export const Auth = (options: AuthOptions = {}) =>
  applyDecorators(
    SetMetadata(IS_PUBLIC_KEY, false),
    SetMetadata(AUTH_OPTIONS_KEY, options),
    UseGuards(JwtRevocationGuard),
    ...applyOptionalSwaggerDocs(),
  );
