import { eq, getTableColumns, sql, type Column } from 'drizzle-orm';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import type { TokenVersionStore, VersionAndSessionReader } from '../revocation/token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';
import { userIdParameter, type UserIdType } from '../sql/user-id';
import { versionAndSessionOf, type VersionAndSessionRow } from '../sql/version-and-session.row';
import { affectedRows, drizzleDialect } from './drizzle-dialect';
import { DrizzleSessionStore } from './drizzle-session.store';
import type { DrizzleTokenVersionStoreOptions, DrizzleUserTable } from './drizzle-store.options';

/** Reads and raises the version column of the app's user table, one primary-key statement each (the version and a session together in one). */
export class DrizzleTokenVersionStore implements TokenVersionStore {
  // Typed loosely once here: the builders of the three families share the calls used below.
  private readonly db: any;
  private readonly users: DrizzleUserTable;
  private readonly versionKey: string;
  private readonly idType: UserIdType;

  constructor({ db, userTable: users }: DrizzleTokenVersionStoreOptions) {
    this.users = users;
    drizzleDialect(db); // fails at startup on anything that is not a Drizzle database
    this.db = db;
    const columns = Object.entries(getTableColumns(users.table));
    const entry = columns.find(([, column]) => column === users.version);
    if (!entry || !columns.some(([, column]) => column === users.id)) {
      throw new JwtRevocationConfigError(
        'the Drizzle user columns are not columns of the given table',
        'Pass `userTable: { table: users, id: users.id, version: users.tokenVersion }`.',
      );
    }
    this.versionKey = entry[0];
    this.idType = idTypeOf(users.id);
  }

  /** One statement for the version and the session, when `sessions` is the Drizzle store on the same database. */
  readerWithSessions(sessions: SessionStore): VersionAndSessionReader | undefined {
    const s = sessions instanceof DrizzleSessionStore ? sessions.tableOn(this.db) : undefined;
    if (!s) return undefined;
    return async (userId, sessionId) => {
      const id = userIdParameter(this.idType, userId);
      if (id === undefined) return { version: null, session: null };
      // Two primary-key lookups in one statement; no user row, no row at all.
      const rows: VersionAndSessionRow[] = await this.db
        .select({
          version: this.users.version,
          session_user_id: s.userId,
          revoked_at: s.revokedAt,
          expires_at: s.expiresAt,
          idle_expires_at: s.idleExpiresAt,
        })
        .from(this.users.table)
        .leftJoin(s, eq(s.id, sessionId))
        .where(eq(this.users.id, id))
        .limit(1);
      return rows.length === 0 ? { version: null, session: null } : versionAndSessionOf(rows[0]);
    };
  }

  async getVersion(userId: string): Promise<number | null> {
    const id = userIdParameter(this.idType, userId);
    if (id === undefined) return null;
    const rows = await this.db.select({ version: this.users.version }).from(this.users.table).where(eq(this.users.id, id)).limit(1);
    return rows.length === 0 ? null : Number(rows[0].version);
  }

  async incrementVersion(userId: string): Promise<boolean> {
    const id = userIdParameter(this.idType, userId);
    if (id === undefined) return false;
    // The database computes the new value in the same statement: concurrent calls never lose a step.
    const result = await this.db
      .update(this.users.table)
      .set({ [this.versionKey]: sql`${this.users.version} + 1` })
      .where(eq(this.users.id, id));
    return affectedRows(result) > 0;
  }
}

function idTypeOf(column: Column): UserIdType {
  const type = column.columnType.toLowerCase();
  if (type.includes('uuid')) return 'uuid';
  // SQLite INTEGER keys are 64-bit.
  if (column.dataType === 'bigint' || type.includes('bigint') || (type.startsWith('sqlite') && column.dataType === 'number')) return 'bigint';
  if (column.dataType === 'number') return 'integer';
  return 'string';
}
