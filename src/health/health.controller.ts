import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from 'nestjs-jwt-revocation';
import { JwtRevocationHealthIndicator } from 'nestjs-jwt-revocation/terminus';

/** How long the database and the revocation store each have to answer readiness. */
const READINESS_TIMEOUT_MS = 3000;

@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly revocation: JwtRevocationHealthIndicator,
  ) {}

  /** Unchanged for existing scripts: the process answers. */
  @Get()
  status(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Liveness: the process answers. Nothing external, so a database outage never gets it restarted. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness: the database and the revocation store must answer within 3 s (in parallel, so a
   * black-holed database gives 503 in about 3 s). The invalidation channel's state is in the body
   * but does not fail readiness: see "Operating it" in the README.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: READINESS_TIMEOUT_MS }),
      () => this.revocation.checkStore('revocation_store', READINESS_TIMEOUT_MS),
      () => this.revocation.checkBroadcaster('revocation_broadcaster', { downWhenUntrusted: false }),
    ]);
  }
}
