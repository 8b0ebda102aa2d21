import { Injectable } from '@nestjs/common';
import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2';
import { scrypt, timingSafeEqual } from 'node:crypto';

/** OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 passes, 1 lane. */
export const ARGON2ID_PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const LEGACY_SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024, keyLength: 32 } as const;

/**
 * argon2id hashes in PHC form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). Hashes written by
 * earlier versions of the demo (`scrypt$<salt>$<key>`, N=2^14) still verify, and
 * `needsRehash()` tells the caller to store a new hash at the next successful login.
 */
@Injectable()
export class PasswordHasher {
  // Compared against when the email is unknown, so both failures cost the same time.
  private readonly dummyHash = this.hash('dummy password for timing');

  hash(password: string): Promise<string> {
    return argon2Hash(password, ARGON2ID_PARAMETERS);
  }

  async verify(password: string, stored: string | undefined): Promise<boolean> {
    const matches = await this.verifyAgainst(password, stored ?? (await this.dummyHash));
    return stored !== undefined && matches;
  }

  /** True when `stored` was made with another algorithm or other parameters than today's. */
  needsRehash(stored: string): boolean {
    if (!stored.startsWith('$argon2id$')) return true;
    try {
      const { memoryCost, timeCost, parallelism } = parseOptions(stored);
      return memoryCost !== ARGON2ID_PARAMETERS.memoryCost || timeCost !== ARGON2ID_PARAMETERS.timeCost || parallelism !== ARGON2ID_PARAMETERS.parallelism;
    } catch {
      return true;
    }
  }

  private async verifyAgainst(password: string, stored: string): Promise<boolean> {
    if (stored.startsWith('$argon2')) {
      try {
        return await argon2Verify(stored, password);
      } catch {
        return false; // a malformed stored hash matches nothing
      }
    }
    const [scheme, salt, key] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !key) return false;
    const expected = Buffer.from(key, 'base64');
    const actual = await new Promise<Buffer>((resolve, reject) =>
      scrypt(password, Buffer.from(salt, 'base64'), LEGACY_SCRYPT.keyLength, LEGACY_SCRYPT, (error, derived) => (error ? reject(error) : resolve(derived))),
    );
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
