import { Module, type DynamicModule } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { JwtRevocationModule } from '../jwt-revocation.module';
import type { JwtRevocationModuleOptions } from '../options/jwt-revocation-options.interface';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';

export interface JwtRevocationTestingOptions {
  /** Users that exist from the start (version 0). More can be added with `InMemoryTokenVersionStore.addUser()`. */
  users?: Array<string | number>;
  /** Default true, as in the real module. */
  globalGuard?: boolean;
  /** Any other module option (lifetimes, grace window, hooks). */
  options?: Partial<JwtRevocationModuleOptions>;
}

/**
 * The real module on in-memory stores and a random secret, for an app's own tests: issue tokens
 * with `AuthTokenService.login()`, revoke them, and get `InMemoryTokenVersionStore` /
 * `InMemorySessionStore` from the testing module to add users or look inside. No database.
 */
@Module({})
export class JwtRevocationTestingModule {
  static forRoot(testing: JwtRevocationTestingOptions = {}): DynamicModule {
    const versions = new InMemoryTokenVersionStore();
    for (const user of testing.users ?? []) versions.addUser(user);
    const sessions = new InMemorySessionStore();
    return {
      module: JwtRevocationTestingModule,
      global: true,
      imports: [
        JwtRevocationModule.forRoot({
          // A random secret unless the test brings its own keys.
          ...(testing.options?.jwt || testing.options?.keys ? {} : { secret: randomBytes(32) }),
          tokenVersionStore: versions,
          sessionStore: sessions,
          globalGuard: testing.globalGuard ?? true,
          ...testing.options,
        }),
      ],
      providers: [
        { provide: InMemoryTokenVersionStore, useValue: versions },
        { provide: InMemorySessionStore, useValue: sessions },
      ],
      exports: [InMemoryTokenVersionStore, InMemorySessionStore],
    };
  }
}
