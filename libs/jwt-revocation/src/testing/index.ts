// nestjs-jwt-revocation/testing: the module on in-memory stores, for an app's own tests.
export { JwtRevocationTestingModule, type JwtRevocationTestingOptions } from './jwt-revocation-testing.module';
export { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
export { InMemorySessionStore } from '../sessions/in-memory-session.store';
