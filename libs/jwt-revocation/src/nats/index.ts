// nestjs-jwt-revocation/nats: cross-instance invalidation over NATS core pub/sub (the `nats` package).
export { NatsRevocationBroadcaster, type NatsBroadcasterOptions } from './nats-revocation.broadcaster';
