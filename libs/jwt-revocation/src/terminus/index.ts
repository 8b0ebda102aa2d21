// nestjs-jwt-revocation/terminus: health checks of the revocation state for @nestjs/terminus.
export {
  JwtRevocationHealthIndicator,
  DEFAULT_STORE_CHECK_TIMEOUT_MS,
  type BroadcasterCheckOptions,
} from './jwt-revocation.health-indicator';
export { JwtRevocationHealthModule } from './jwt-revocation-health.module';
