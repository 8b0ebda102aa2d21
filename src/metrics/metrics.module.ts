import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';

/** `GET /metrics` on the app's port, unless METRICS_PORT moved it (see metrics-sdk.ts). */
@Module({ controllers: [MetricsController] })
export class MetricsModule {}
