import type { Provider } from '@nestjs/common';
import { SESSION_STORE, TOKEN_VERSION_STORE } from '../jwt-revocation.constants';
import { InvalidationChannel } from '../broadcast/invalidation-channel';
import type { TokenVersionStore } from '../revocation/token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';
import { REVOCATION_STORE_PROBE, StoreReadProbe } from '../health/revocation-store-probe';
import { INVALIDATION_CHANNEL_STATUS } from '../health/invalidation-channel-status';
import { RevocationTelemetry } from './revocation-telemetry';
import { TelemetryGauges } from './telemetry-gauges';

/** Telemetry and what health checks read; none of it needs an OpenTelemetry SDK or Terminus. */
export const TELEMETRY_PROVIDERS: Provider[] = [
  // Built with the module: the global meter provider is read here, once.
  { provide: RevocationTelemetry, useFactory: () => new RevocationTelemetry() },
  {
    provide: REVOCATION_STORE_PROBE,
    useFactory: (versions: TokenVersionStore, sessions: SessionStore | null) => new StoreReadProbe(versions, sessions),
    inject: [TOKEN_VERSION_STORE, SESSION_STORE],
  },
  // The same trust the checker uses: heartbeat echoes, sequence gaps and the transport's connection.
  { provide: INVALIDATION_CHANNEL_STATUS, useExisting: InvalidationChannel },
  TelemetryGauges,
];

export const TELEMETRY_EXPORTS = [RevocationTelemetry, REVOCATION_STORE_PROBE, INVALIDATION_CHANNEL_STATUS];
