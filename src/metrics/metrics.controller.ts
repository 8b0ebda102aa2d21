import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from 'nestjs-jwt-revocation';
import { registeredMetricsSdk } from './metrics-sdk';

/**
 * Prometheus text exposition of the OpenTelemetry SDK. Public so a scraper can reach it: keep it
 * off the internet (block /metrics at the proxy, or set METRICS_PORT to serve it on its own port).
 */
@Public()
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    const sdk = registeredMetricsSdk();
    if (!sdk || sdk.separatePort) throw new NotFoundException();
    return sdk.scrape();
  }
}
