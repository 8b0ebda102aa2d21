import { and, desc, eq, gt, inArray, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { RevokeReason, SessionRecord } from '../sessions/session-record';
import type { SessionRotation, SessionStore } from '../sessions/session-store.interface';
import type { SqlDialect } from '../sql/sql-dialect';
import { affectedRows, drizzleDialect } from './drizzle-dialect';
import type { DrizzleStoreOptions } from './drizzle-store.options';
import { jwtSessions as mysqlSessions } from './schema/mysql';
import { jwtSessions as pgSessions } from './schema/pg';
import { jwtSessions as sqliteSessions } from './schema/sqlite';

const TABLES = { postgresql: pgSessions, mysql: mysqlSessions, sqlite: sqliteSessions };

// The three table objects have the same columns; one name for them keeps the queries readable.
type SessionsTable = typeof pgSessions;

/** Sessions in `jwt_sessions` through the app's Drizzle database; rotation is one conditional UPDATE. */
export class DrizzleSessionStore implements SessionStore {
  private readonly dialect: SqlDialect;
  private readonly t: SessionsTable;
  // Typed loosely once here: the builders of the three families share the calls used below.
  private readonly db: any;

  constructor({ db }: DrizzleStoreOptions) {
    this.dialect = drizzleDialect(db);
    this.t = TABLES[this.dialect] as unknown as SessionsTable;
    this.db = db;
  }

  /** This store's `jwt_sessions` table when `db` is the database it uses (a version store may then join it); else undefined. */
  tableOn(db: unknown): SessionsTable | undefined {
    return db === this.db ? this.t : undefined;
  }

  async create(session: SessionRecord): Promise<void> {
    await this.db.insert(this.t).values(session);
  }

  async find(sessionId: string): Promise<SessionRecord | null> {
    const rows = await this.db.select().from(this.t).where(eq(this.t.id, sessionId)).limit(1);
    return rows.length === 0 ? null : (rows[0] as SessionRecord);
  }

  async rotate(sessionId: string, expectedHash: string, rotation: SessionRotation): Promise<boolean> {
    const { tokenVersion, ...rest } = rotation;
    const result = await this.db
      .update(this.t)
      .set(tokenVersion === undefined ? rest : { ...rest, tokenVersion })
      .where(and(eq(this.t.id, sessionId), eq(this.t.refreshHash, expectedHash), isNull(this.t.revokedAt)));
    return affectedRows(result) === 1;
  }

  async revoke(userId: string, sessionIds: string[] | 'all', reason: RevokeReason, at: number): Promise<string[]> {
    if (sessionIds === 'all') return this.revokeWhere(eq(this.t.userId, userId), reason, at);
    if (sessionIds.length === 0) return [];
    return this.revokeWhere(and(eq(this.t.userId, userId), inArray(this.t.id, sessionIds))!, reason, at);
  }

  async revokeFamily(family: string, reason: RevokeReason, at: number): Promise<string[]> {
    return this.revokeWhere(eq(this.t.family, family), reason, at);
  }

  async listActive(userId: string, now: number): Promise<SessionRecord[]> {
    return this.db
      .select()
      .from(this.t)
      .where(and(eq(this.t.userId, userId), isNull(this.t.revokedAt), gt(this.t.expiresAt, now), gt(this.t.idleExpiresAt, now)))
      .orderBy(desc(this.t.createdAt));
  }

  async purge(endedBefore: number): Promise<number> {
    const result = await this.db
      .delete(this.t)
      .where(or(lt(this.t.revokedAt, endedBefore), lt(this.t.expiresAt, endedBefore), lt(this.t.idleExpiresAt, endedBefore)));
    return affectedRows(result);
  }

  private async revokeWhere(condition: SQL, reason: RevokeReason, at: number): Promise<string[]> {
    const live = and(condition, isNull(this.t.revokedAt));
    const revoke = { revokedAt: at, revokeReason: reason };
    if (this.dialect !== 'mysql') {
      // RETURNING names exactly the rows this statement revoked, even under concurrent revokes.
      const rows: Array<{ id: string }> = await this.db.update(this.t).set(revoke).where(live).returning({ id: this.t.id });
      return rows.map((row) => row.id);
    }
    // MySQL/MariaDB have no UPDATE ... RETURNING: read the live ids, then revoke exactly those still live.
    const rows: Array<{ id: string }> = await this.db.select({ id: this.t.id }).from(this.t).where(live);
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    await this.db
      .update(this.t)
      .set(revoke)
      .where(and(inArray(this.t.id, ids), isNull(this.t.revokedAt)));
    return ids;
  }
}
