import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { AUTH_OPTIONS_KEY, IS_PUBLIC_KEY } from '../jwt-revocation.constants';
import { JwtRevocationGuard } from '../guard/jwt-revocation.guard';
import type { AuthOptions } from './auth-options';
import { applyOptionalSwaggerDocs } from './optional-swagger-docs';

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
