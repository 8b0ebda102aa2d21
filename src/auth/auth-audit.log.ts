import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHmac, hkdfSync } from 'node:crypto';
import type { RevocationEvent } from 'nestjs-jwt-revocation';
import type { AppEnv } from '../config';
import { normalizeEmail } from '../users/email-address';

export type AuthEvent = 'login' | 'change-password' | 'refresh' | 'csrf' | 'revocation';
export type AuthOutcome = 'success' | 'failure' | 'refused';

/** Who tried: the account when known, else the email typed (only ever logged as a keyed hash). */
export interface AuthActor {
  userId?: number | string;
  email?: string;
  ip?: string;
  userAgent?: string;
}

const logger = new Logger('AuthAudit');
const USER_AGENT_MAX = 200;

/** A revocation the library reports (logout, logout-all, password change, reuse detected): one line. */
export function auditRevocation(event: RevocationEvent): void {
  write({ event: 'revocation', outcome: 'success', reason: event.type, userId: String(event.userId), sessions: event.sessionIds.length });
}

/**
 * One JSON line per authentication outcome, for alerting and investigations: time, event,
 * outcome, reason, user id or a keyed hash of the email typed, IP and user agent. Never a
 * password, a token or an email in clear.
 */
@Injectable()
export class AuthAuditLog {
  private readonly emailKey: Buffer;

  constructor(config: ConfigService<AppEnv, true>) {
    // A key of its own, derived from the app secret, so the hash cannot be recomputed from a list of emails.
    this.emailKey = Buffer.from(hkdfSync('sha256', config.get('app.jwtSecret', { infer: true }), '', 'demo auth audit email', 32));
  }

  record(event: AuthEvent, outcome: AuthOutcome, reason: string | undefined, actor: AuthActor): void {
    write({
      event,
      outcome,
      ...(reason ? { reason } : {}),
      ...(actor.userId !== undefined ? { userId: String(actor.userId) } : {}),
      ...(actor.userId === undefined && actor.email !== undefined ? { emailHash: this.emailHash(actor.email) } : {}),
      ip: actor.ip,
      userAgent: actor.userAgent?.slice(0, USER_AGENT_MAX),
    });
  }

  private emailHash(email: string): string {
    return createHmac('sha256', this.emailKey).update(normalizeEmail(email)).digest('hex').slice(0, 24);
  }
}

function write(fields: Record<string, unknown>): void {
  const line = JSON.stringify({ time: new Date().toISOString(), ...fields });
  if (fields.outcome === 'success') logger.log(line);
  else logger.warn(line);
}
