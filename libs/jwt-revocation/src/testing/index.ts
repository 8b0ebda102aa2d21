// nestjs-jwt-revocation/testing: the module on in-memory stores, for an app's own tests.
export { JwtRevocationTestingModule, type JwtRevocationTestingOptions } from './jwt-revocation-testing.module';
export { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
export { InMemorySessionStore } from '../sessions/in-memory-session.store';
// The store contracts: every behaviour the module relies on, to run against your own store in jest.
export { runSessionStoreContract, type SessionStoreHarness } from './session-store.contract';
export {
  runTokenVersionStoreContract,
  type TokenVersionStoreHarness,
  type TokenVersionContractOptions,
} from './token-version-store.contract';
// The broadcaster contract: what every transport must do, to run against your own in jest.
export { runBroadcasterContract, type BroadcasterHarness, type BroadcasterContractOptions } from './broadcaster.contract';
