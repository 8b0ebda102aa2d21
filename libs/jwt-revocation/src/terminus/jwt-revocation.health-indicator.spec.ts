import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import request from 'supertest';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { JwtRevocationHealthIndicator } from './jwt-revocation.health-indicator';
import { JwtRevocationHealthModule } from './jwt-revocation-health.module';

const PROBE_TIMEOUT_MS = 150;

/** A version store that answers, hangs, or fails like a driver whose message names the database. */
class ScriptedVersionStore extends InMemoryTokenVersionStore {
  mode: 'answers' | 'hangs' | 'fails' = 'answers';
  reads = 0;
  override async getVersion(userId: string): Promise<number | null> {
    this.reads++;
    if (this.mode === 'hangs') return new Promise(() => undefined);
    if (this.mode === 'fails') throw Object.assign(new Error('connect ECONNREFUSED postgres://admin:secret@db'), { name: 'DriverError' });
    return super.getVersion(userId);
  }
}

/** Delivers what it publishes back to its own instance, as Redis does, while connected. */
class SwitchableBroadcaster implements RevocationBroadcaster {
  connected = true;
  private listener: InvalidationListener | undefined;
  async start(listener: InvalidationListener): Promise<void> {
    this.listener = listener;
  }
  async publish(message: InvalidationMessage): Promise<void> {
    if (this.connected) this.listener?.onInvalidate(message);
  }
  isConnected(): boolean {
    return this.connected;
  }
  async stop(): Promise<void> {}
}

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly revocation: JwtRevocationHealthIndicator,
  ) {}

  @Get('store')
  @HealthCheck()
  checkStore() {
    return this.health.check([() => this.revocation.checkStore('revocation_store', PROBE_TIMEOUT_MS)]);
  }

  @Get('broadcaster')
  @HealthCheck()
  checkBroadcaster() {
    return this.health.check([() => this.revocation.checkBroadcaster()]);
  }

  /** Readiness as the demo does it: the store gates it, the channel is only reported. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.revocation.checkStore('revocation_store', PROBE_TIMEOUT_MS),
      () => this.revocation.checkBroadcaster('revocation_broadcaster', { downWhenUntrusted: false }),
    ]);
  }
}

describe('JwtRevocationHealthIndicator on the real module', () => {
  const store = new ScriptedVersionStore();
  const broadcaster = new SwitchableBroadcaster();
  let app: INestApplication;
  let startedAt: number;

  beforeAll(async () => {
    startedAt = Date.now();
    const moduleRef = await Test.createTestingModule({
      imports: [
        JwtRevocationTestingModule.forRoot({ globalGuard: false, options: { tokenVersionStore: store, broadcaster } }),
        TerminusModule.forRoot({ logger: false }),
        JwtRevocationHealthModule,
      ],
      controllers: [HealthController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    store.mode = 'answers';
    broadcaster.connected = true;
  });

  it('reports the store up when a read answers in time, and really reads it', async () => {
    const before = store.reads;
    const response = await request(app.getHttpServer()).get('/health/store').expect(200);
    expect(response.body).toMatchObject({ status: 'ok', details: { revocation_store: { status: 'up' } } });
    expect(typeof response.body.details.revocation_store.responseTimeMs).toBe('number');
    expect(store.reads).toBeGreaterThan(before);
  });

  it('answers 503 within the timeout when the store hangs', async () => {
    store.mode = 'hangs';
    const started = Date.now();
    const response = await request(app.getHttpServer()).get('/health/store').expect(503);
    expect(Date.now() - started).toBeLessThan(PROBE_TIMEOUT_MS + 1000);
    const down = { status: 'down', message: `no answer within ${PROBE_TIMEOUT_MS} ms`, timeoutMs: PROBE_TIMEOUT_MS };
    expect(response.body).toEqual({ status: 'error', info: {}, error: { revocation_store: down }, details: { revocation_store: down } });
  });

  it('answers 503 naming only the error class when the store read fails', async () => {
    store.mode = 'fails';
    const response = await request(app.getHttpServer()).get('/health/store').expect(503);
    expect(response.body.error.revocation_store).toEqual({ status: 'down', message: 'store read failed', error: 'DriverError' });
    expect(JSON.stringify(response.body)).not.toContain('secret');
  });

  it('reports the broadcaster up, or down with its reason and since when', async () => {
    const up = await request(app.getHttpServer()).get('/health/broadcaster').expect(200);
    expect(up.body.details.revocation_broadcaster).toMatchObject({ status: 'up', trusted: true });
    expect(Date.parse(up.body.details.revocation_broadcaster.since)).toBeGreaterThanOrEqual(startedAt - 1000);

    const cutAt = Date.now();
    broadcaster.connected = false;
    const down = await request(app.getHttpServer()).get('/health/broadcaster').expect(503);
    expect(down.body.error.revocation_broadcaster).toMatchObject({ status: 'down', trusted: false, reason: 'broadcaster not connected' });
    expect(Date.parse(down.body.error.revocation_broadcaster.since)).toBeGreaterThanOrEqual(cutAt);

    broadcaster.connected = true;
    await request(app.getHttpServer()).get('/health/broadcaster').expect(200);
  });

  it('keeps readiness up with an untrusted channel but fails it with a hanging store', async () => {
    broadcaster.connected = false;
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.details.revocation_broadcaster).toMatchObject({ status: 'up', trusted: false, reason: 'broadcaster not connected' });

    store.mode = 'hangs';
    const notReady = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(Object.keys(notReady.body.error)).toEqual(['revocation_store']);
    expect(notReady.body.details.revocation_broadcaster.trusted).toBe(false);
  });
});
