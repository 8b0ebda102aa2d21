import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JwtRevocationHealthIndicator } from './jwt-revocation.health-indicator';

/**
 * Import next to `JwtRevocationModule` (which provides what the checks read) to inject
 * `JwtRevocationHealthIndicator` into a Terminus health controller.
 */
@Module({
  imports: [TerminusModule],
  providers: [JwtRevocationHealthIndicator],
  exports: [JwtRevocationHealthIndicator],
})
export class JwtRevocationHealthModule {}
