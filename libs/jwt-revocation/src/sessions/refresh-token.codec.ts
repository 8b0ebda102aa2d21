import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_BYTES = 32; // 256 bits from the CSPRNG
const TAG_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const PREFIX = 'rt';

export interface ParsedRefreshToken {
  sessionId: string;
  generation: number;
  /** True when the tag proves this library issued the token (so a mismatch is reuse, not a guess). */
  authentic: boolean;
}

/**
 * Opaque refresh tokens `rt.<session>.<generation>.<secret>.<tag>`. The tag (HMAC with a key
 * of its own, never the signing key, so key rotation leaves it alone) proves an old token was
 * really issued, so replaying any rotated token is detected as reuse, while a made-up token is
 * merely refused.
 */
export class RefreshTokenCodec {
  constructor(private readonly key: Buffer) {}

  static hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  issue(sessionId: string, generation: number, secret: Buffer = randomBytes(SECRET_BYTES)): string {
    const body = `${PREFIX}.${sessionId}.${generation}.${secret.toString('base64url')}`;
    return `${body}.${this.tag(body)}`;
  }

  /**
   * The successor a grace-window duplicate receives: derived from the presented token, so every
   * instance computes the same one without storing it.
   */
  successor(token: string, sessionId: string, generation: number): string {
    const secret = createHmac('sha256', this.key).update(`successor:${token}`).digest();
    return this.issue(sessionId, generation, secret);
  }

  parse(token: unknown): ParsedRefreshToken | undefined {
    if (typeof token !== 'string' || token.length > 200) return undefined;
    const parts = token.split('.');
    if (parts.length !== 5 || parts[0] !== PREFIX || !UUID.test(parts[1]) || !/^\d{1,9}$/.test(parts[2])) return undefined;
    if (!B64URL.test(parts[3]) || !B64URL.test(parts[4])) return undefined;
    const expected = Buffer.from(this.tag(parts.slice(0, 4).join('.')));
    const given = Buffer.from(parts[4]);
    return {
      sessionId: parts[1],
      generation: Number(parts[2]),
      authentic: expected.length === given.length && timingSafeEqual(expected, given),
    };
  }

  private tag(body: string): string {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, TAG_BYTES).toString('base64url');
  }
}
