import * as api from '@opentelemetry/api';
import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import { AuthTokenService } from '../auth-token.service';
import { AccessTokenVerifier } from '../access-tokens/access-token.verifier';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InvalidTokenException, RevocationUnavailableException } from '../errors/bearer-auth.exceptions';
import { InvalidRefreshTokenException } from '../errors/invalid-refresh-token.exception';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { METRIC_NAMES, SPAN_NAMES } from './telemetry-names';
import { InMemoryTelemetry } from './in-memory-telemetry.spec-support';

const SECRET = 'telemetry-spec-secret-of-at-least-32-bytes';
const USER = 'user-7@example.com';

/** Instances sharing one in-process channel; a message crosses it as JSON after `delayMs`, as over Redis. */
class SharedChannel {
  delayMs = 0;
  private readonly members = new Set<LinkedBroadcaster>();
  join(member: LinkedBroadcaster): void {
    this.members.add(member);
  }
  deliver(from: LinkedBroadcaster, message: InvalidationMessage): void {
    const raw = JSON.stringify(message);
    // To every member, the publisher included, as Redis does (heartbeats rely on the echo).
    for (const member of this.members) setTimeout(() => member.receive(JSON.parse(raw)), member === from ? 0 : this.delayMs);
  }
}

class LinkedBroadcaster implements RevocationBroadcaster {
  connected = true;
  private listener: InvalidationListener | undefined;
  constructor(private readonly channel: SharedChannel) {
    channel.join(this);
  }
  async start(listener: InvalidationListener): Promise<void> {
    this.listener = listener;
  }
  async publish(message: InvalidationMessage): Promise<void> {
    this.channel.deliver(this, message);
  }
  receive(message: InvalidationMessage): void {
    this.listener?.onInvalidate(message);
  }
  isConnected(): boolean {
    return this.connected;
  }
  async stop(): Promise<void> {}
}

/** A version store that fails while `failing` is set. */
class FlakyVersionStore extends InMemoryTokenVersionStore {
  failing = false;
  override async getVersion(userId: string): Promise<number | null> {
    if (this.failing) throw Object.assign(new Error(`connection lost reading ${userId}`), { name: 'QueryFailedError' });
    return super.getVersion(userId);
  }
}

interface Instance {
  module: TestingModule;
  tokens: AuthTokenService;
  verifier: AccessTokenVerifier;
  versions: FlakyVersionStore;
  broadcaster: LinkedBroadcaster;
}

/** The whole library wired by Nest, measured through the global SDK as an app would register it. */
describe('telemetry of the real module', () => {
  let sdk: InMemoryTelemetry;
  let channel: SharedChannel;
  const instances: Instance[] = [];

  async function startInstance(versions = new FlakyVersionStore()): Promise<Instance> {
    versions.addUser(USER);
    const broadcaster = new LinkedBroadcaster(channel);
    const module = await Test.createTestingModule({
      imports: [
        JwtRevocationTestingModule.forRoot({
          globalGuard: false,
          options: { secret: SECRET, tokenVersionStore: versions, broadcaster, sessions: { purgeIntervalMs: 0, reuseGraceMs: 5_000 } },
        }),
      ],
    }).compile();
    module.useLogger(false);
    await module.init();
    const instance = { module, tokens: module.get(AuthTokenService), verifier: module.get(AccessTokenVerifier), versions, broadcaster };
    instances.push(instance);
    return instance;
  }

  beforeEach(() => {
    sdk = new InMemoryTelemetry();
    channel = new SharedChannel();
    api.metrics.setGlobalMeterProvider(sdk.meterProvider);
    api.trace.setGlobalTracerProvider(sdk.tracerProvider);
  });
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((instance) => instance.module.close()));
    api.metrics.disable();
    api.trace.disable();
    await sdk.shutdown();
  });

  const checks = (outcome: string, source: string) => sdk.value(METRIC_NAMES.checks, { outcome, source });

  it('counts each access-token check by outcome and by where its answer came from', async () => {
    const a = await startInstance();
    const { accessToken } = await a.tokens.login(USER);

    await a.verifier.verify(accessToken); // first: version and session read from the store
    await a.verifier.verify(accessToken); // then: both from the cache
    a.broadcaster.connected = false; // an untrusted channel: every check reads the store
    await a.verifier.verify(accessToken);
    a.versions.failing = true;
    await expect(a.verifier.verify(accessToken)).rejects.toBeInstanceOf(RevocationUnavailableException);
    a.versions.failing = false;
    a.broadcaster.connected = true;
    await a.tokens.logoutAll(USER);
    await expect(a.verifier.verify(accessToken)).rejects.toBeInstanceOf(InvalidTokenException);

    expect(await checks('accepted', 'store')).toBe(2);
    expect(await checks('accepted', 'cache')).toBe(1);
    expect(await checks('unavailable', 'store')).toBe(1);
    expect(await checks('refused', 'store')).toBe(1);
    expect(await sdk.value(METRIC_NAMES.storeErrors)).toBe(1);
    const failedRead = sdk.spans(SPAN_NAMES.storeRead).find((span) => span.status.code === api.SpanStatusCode.ERROR);
    expect(failedRead?.attributes).toEqual({ 'jwt_revocation.store.target': 'version', 'error.type': 'QueryFailedError' });
    expect(a.tokens.metrics()).toMatchObject({ failClosedRefusals: 1, storeErrors: 1, revocations: 1 });
  });

  it('counts and traces revocations and refreshes by type and outcome', async () => {
    const a = await startInstance();
    const first = await a.tokens.login(USER);
    const rotated = await a.tokens.refresh(first.refreshToken);
    await a.tokens.refresh(first.refreshToken); // a concurrent duplicate within the grace window
    await a.tokens.logout({ id: USER, sessionId: rotated.sessionId });
    await expect(a.tokens.refresh(rotated.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenException);
    await expect(a.tokens.refresh('not-a-token')).rejects.toBeInstanceOf(InvalidRefreshTokenException);
    const second = await a.tokens.login(USER);
    await a.tokens.passwordChanged(USER);
    await expect(a.tokens.refresh(second.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenException);

    const refreshes = Object.fromEntries(
      (await sdk.points(METRIC_NAMES.refreshes)).map((point) => [point.attributes.outcome, point.value]),
    );
    expect(refreshes).toEqual({ rotated: 1, grace: 1, reuse: 0, expired: 0, revoked: 2, invalid: 1 });
    expect(await sdk.value(METRIC_NAMES.revocations, { type: 'logout' })).toBe(1);
    expect(await sdk.value(METRIC_NAMES.revocations, { type: 'password-changed' })).toBe(1);
    expect(sdk.spans(SPAN_NAMES.revocation).map((span) => span.attributes)).toEqual([
      { 'jwt_revocation.revocation.type': 'logout', 'jwt_revocation.revocation.sessions': 1 },
      { 'jwt_revocation.revocation.type': 'password-changed' },
    ]);
    expect(sdk.spans(SPAN_NAMES.refresh).map((span) => span.attributes['jwt_revocation.refresh.outcome'])).toEqual([
      'rotated', 'grace', 'revoked', 'invalid', 'revoked',
    ]);
    const everything = JSON.stringify(sdk.spanExporter.getFinishedSpans().map((span) => [span.name, span.attributes]));
    for (const secret of [USER, first.refreshToken, first.accessToken, first.sessionId]) expect(everything).not.toContain(secret);
  });

  it('records propagation lag on the instance that receives a revocation, not on the one that made it', async () => {
    const a = await startInstance();
    const b = await startInstance();
    channel.delayMs = 30;
    await a.tokens.logoutAll(USER);
    await new Promise((resolve) => setTimeout(resolve, 200));

    // One global provider, two instances: each histogram point is one instance's telemetry.
    const lags = (await sdk.points<{ count: number; sum: number }>(METRIC_NAMES.propagationLag)).map((point) => point.value);
    expect(lags.filter((lag) => lag.count > 0)).toHaveLength(1);
    const received = lags.find((lag) => lag.count > 0)!;
    expect(received.count).toBe(1);
    expect(received.sum).toBeGreaterThanOrEqual(0.025);
    expect(received.sum).toBeLessThan(1);
    expect(b.tokens.metrics().revocations).toBe(0);
  });

  it('reports the cache size and the channel trust as gauges, and stops when the module closes', async () => {
    const a = await startInstance();
    const { accessToken } = await a.tokens.login(USER);
    await a.verifier.verify(accessToken);

    expect(await sdk.value(METRIC_NAMES.cacheEntries)).toBe(2);
    expect(await sdk.value(METRIC_NAMES.channelTrusted)).toBe(1);
    a.broadcaster.connected = false;
    expect(await sdk.value(METRIC_NAMES.channelTrusted)).toBe(0);

    await instances.splice(0)[0].module.close();
    a.broadcaster.connected = true; // no longer read: a cumulative SDK repeats the last value it saw
    expect(await sdk.value(METRIC_NAMES.channelTrusted)).toBe(0);
  });
});
