import type { Redis } from 'ioredis';
import type { RevokeReason, SessionRecord } from '../../sessions/session-record';
import type { SessionRotation, SessionStore } from '../../sessions/session-store.interface';
import type { RedisKeys } from './redis-keys';
import { CREATE_SESSION, LIST_SESSIONS, PURGE_SESSIONS, REVOKE_SESSIONS, ROTATE_SESSION } from './redis-session.scripts';

const NUMBER_FIELDS = new Set(['generation', 'tokenVersion', 'createdAt', 'lastUsedAt', 'rotatedAt', 'expiresAt', 'idleExpiresAt', 'revokedAt']);
const PURGE_BATCH = 500;

/**
 * Sessions kept in Redis only: one hash per session, expiring when the session has ended and its
 * last access token has too; every change is one Lua script, so rotation has exactly one winner.
 * A session Redis lost reads as not found, which refuses its tokens.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
    /** Access-token lifetime plus clock tolerance (ms): how long a session's key outlives its end. */
    private readonly lifetimeMs: number,
  ) {}

  async create(session: SessionRecord): Promise<void> {
    await CREATE_SESSION.run(
      this.client,
      [
        this.keys.session(session.id),
        this.keys.userSessions(session.userId),
        this.keys.familySessions(session.family),
        this.keys.endings,
        this.keys.version(session.userId),
      ],
      [session.id, session.createdAt, session.expiresAt + this.lifetimeMs, endOf(session), Date.now(), ...toFields(session)],
    );
  }

  async find(sessionId: string): Promise<SessionRecord | null> {
    const fields = await this.client.hgetall(this.keys.session(sessionId));
    return Object.keys(fields).length === 0 ? null : fromFields(fields);
  }

  async rotate(sessionId: string, expectedHash: string, rotation: SessionRotation): Promise<boolean> {
    const changed = await ROTATE_SESSION.run(
      this.client,
      [this.keys.session(sessionId), this.keys.endings],
      [expectedHash, sessionId, rotation.idleExpiresAt, ...toFields(rotation)],
    );
    return changed === 1;
  }

  async revoke(userId: string, sessionIds: string[] | 'all', reason: RevokeReason, at: number): Promise<string[]> {
    if (sessionIds !== 'all' && sessionIds.length === 0) return [];
    const mode = sessionIds === 'all' ? ['user'] : ['ids', ...sessionIds];
    return this.revokeScript(this.keys.userSessions(userId), userId, reason, at, mode);
  }

  async revokeFamily(family: string, reason: RevokeReason, at: number): Promise<string[]> {
    return this.revokeScript(this.keys.familySessions(family), '', reason, at, ['family']);
  }

  async listActive(userId: string, now: number): Promise<SessionRecord[]> {
    const lists = (await LIST_SESSIONS.run(this.client, [this.keys.userSessions(userId)], [this.keys.sessionPrefix])) as string[][];
    return lists
      .map((list) => fromFields(Object.fromEntries(pairs(list))))
      .filter((s) => s.revokedAt === null && s.expiresAt > now && s.idleExpiresAt > now);
  }

  async purge(endedBefore: number): Promise<number> {
    let purged = 0;
    for (;;) {
      const batch = Number(
        await PURGE_SESSIONS.run(
          this.client,
          [this.keys.endings],
          [this.keys.sessionPrefix, this.keys.userPrefix, this.keys.familyPrefix, endedBefore, PURGE_BATCH],
        ),
      );
      purged += batch;
      if (batch < PURGE_BATCH) return purged;
    }
  }

  private async revokeScript(indexKey: string, owner: string, reason: RevokeReason, at: number, mode: string[]): Promise<string[]> {
    return (await REVOKE_SESSIONS.run(this.client, [indexKey, this.keys.endings], [this.keys.sessionPrefix, owner, at, reason, ...mode])) as string[];
  }
}

function endOf(s: SessionRecord): number {
  return Math.min(s.expiresAt, s.idleExpiresAt, s.revokedAt ?? Infinity);
}

/** Field/value pairs for HSET; a null is stored as an absent field. */
function toFields(values: object): string[] {
  return Object.entries(values).flatMap(([field, value]) => (value === null || value === undefined ? [] : [field, String(value)]));
}

function fromFields(fields: Record<string, string>): SessionRecord {
  const record: Record<string, unknown> = {
    previousRefreshHash: null,
    userAgent: null,
    ip: null,
    revokedAt: null,
    revokeReason: null,
    tokenVersion: -1, // absent only in a hash written without it: "not recorded", as in SQL
  };
  for (const [field, value] of Object.entries(fields)) record[field] = NUMBER_FIELDS.has(field) ? Number(value) : value;
  return record as unknown as SessionRecord;
}

function pairs(list: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < list.length; i += 2) out.push([list[i], list[i + 1]]);
  return out;
}
