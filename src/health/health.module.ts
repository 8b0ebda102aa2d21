import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** `GET /health`, public, for load balancers and the CI smoke run. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
