import type { TokenVersionStore, VersionAndSessionReader } from '../revocation/token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';
import { SqlSessionStore } from './sql-session.store';
import { versionAndSessionOf, type VersionAndSessionRow } from './version-and-session.row';
import type { SqlRunner } from './sql-runner';
import { quoteIdentifier } from './sql-dialect';
import { userIdParameter, type UserIdType } from './user-id';

/** Where the app keeps users' versions: its own table, named as in the database. */
export interface UserTableOptions {
  /** Default `users`. */
  table?: string;
  /** Primary-key column. Default `id`. */
  idColumn?: string;
  /** Integer version column. Default `token_version`. */
  versionColumn?: string;
  /** What the primary key holds. Default `integer`. */
  idType?: UserIdType;
}

/** Reads and raises the app's `token_version` column with one primary-key statement each. */
export class SqlTokenVersionStore implements TokenVersionStore {
  private readonly selectSql: string;
  private readonly incrementSql: string;
  private readonly withSessionSql: string;
  private readonly idType: UserIdType;

  constructor(
    private readonly sql: SqlRunner,
    users: UserTableOptions = {},
  ) {
    const q = (name: string) => quoteIdentifier(sql.dialect, name);
    const table = q(users.table ?? 'users');
    const id = q(users.idColumn ?? 'id');
    const version = q(users.versionColumn ?? 'token_version');
    this.idType = users.idType ?? 'integer';
    this.selectSql = `SELECT ${version} AS version FROM ${table} WHERE ${id} = ?`;
    // The new value is computed by the database in the same statement: concurrent calls never lose a step.
    this.incrementSql = `UPDATE ${table} SET ${version} = ${version} + 1 WHERE ${id} = ?`;
    // Two primary-key lookups in one statement; no user row, no row at all.
    this.withSessionSql =
      `SELECT u.${version} AS version, s.user_id AS session_user_id, s.revoked_at, s.expires_at, s.idle_expires_at ` +
      `FROM ${table} u LEFT JOIN jwt_sessions s ON s.id = ? WHERE u.${id} = ?`;
  }

  /** One statement for the version and the session, when `sessions` is the SQL store on the same client. */
  readerWithSessions(sessions: SessionStore): VersionAndSessionReader | undefined {
    if (!(sessions instanceof SqlSessionStore) || !sessions.sharesDatabaseWith(this.sql)) return undefined;
    return async (userId, sessionId) => {
      const id = userIdParameter(this.idType, userId);
      if (id === undefined) return { version: null, session: null };
      const rows = await this.sql.query<VersionAndSessionRow>(this.withSessionSql, [sessionId, id]);
      return rows.length === 0 ? { version: null, session: null } : versionAndSessionOf(rows[0]);
    };
  }

  async getVersion(userId: string): Promise<number | null> {
    const id = userIdParameter(this.idType, userId);
    if (id === undefined) return null;
    const rows = await this.sql.query<{ version: unknown }>(this.selectSql, [id]);
    return rows.length === 0 ? null : Number(rows[0].version);
  }

  async incrementVersion(userId: string): Promise<boolean> {
    const id = userIdParameter(this.idType, userId);
    if (id === undefined) return false;
    return (await this.sql.execute(this.incrementSql, [id])) > 0;
  }
}
