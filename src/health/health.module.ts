import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JwtRevocationHealthModule } from 'nestjs-jwt-revocation/terminus';
import { HealthController } from './health.controller';

/** `GET /health` (unchanged), `/health/live` and `/health/ready` (Terminus), public, for load balancers and orchestrators. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), JwtRevocationHealthModule],
  controllers: [HealthController],
})
export class HealthModule {}
