import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, PARAMS, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** scrypt (memory-hard) hashes stored as `scrypt$<salt>$<key>`. */
@Injectable()
export class PasswordHasher {
  // Compared against when the email is unknown, so both failures cost the same time.
  private readonly dummyHash = this.hash('dummy password for timing');

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scryptAsync(password, salt);
    return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  async verify(password: string, stored: string | undefined): Promise<boolean> {
    const [scheme, salt, key] = (stored ?? (await this.dummyHash)).split('$');
    if (scheme !== 'scrypt' || !salt || !key) return false;
    const actual = await scryptAsync(password, Buffer.from(salt, 'base64'));
    const matches = timingSafeEqual(actual, Buffer.from(key, 'base64'));
    return stored !== undefined && matches;
  }
}
