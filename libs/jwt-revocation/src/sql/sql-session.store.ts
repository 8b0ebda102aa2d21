import type { RevokeReason, SessionRecord } from '../sessions/session-record';
import type { SessionRotation, SessionStore } from '../sessions/session-store.interface';
import type { SqlRunner } from './sql-runner';
import { SESSION_COLUMNS, rowToSession, sessionToParameters, type SessionRow } from './session-row';
import { PURGE_BATCH_ROWS, purgeInBatches } from './purge-in-batches';

const COLUMN_LIST = SESSION_COLUMNS.join(', ');
const LIVE = 'revoked_at IS NULL';

/**
 * Sessions in `jwt_sessions` through plain SQL, for any client that can run a statement. Rotation
 * is one conditional UPDATE, so of N concurrent rotations of one token exactly one changes a row.
 */
export class SqlSessionStore implements SessionStore {
  /** Rows each purge statement covers (see purgeInBatches). */
  protected purgeBatchRows = PURGE_BATCH_ROWS;

  constructor(private readonly sql: SqlRunner) {}

  /** Whether statements of `runner` reach this store's `jwt_sessions` (the same runner or client). */
  sharesDatabaseWith(runner: SqlRunner): boolean {
    return runner === this.sql || (runner.client !== undefined && runner.client === this.sql.client);
  }

  async create(session: SessionRecord): Promise<void> {
    const placeholders = SESSION_COLUMNS.map(() => '?').join(', ');
    await this.sql.execute(`INSERT INTO jwt_sessions (${COLUMN_LIST}) VALUES (${placeholders})`, sessionToParameters(session));
  }

  async find(sessionId: string): Promise<SessionRecord | null> {
    const rows = await this.sql.query<SessionRow>(`SELECT ${COLUMN_LIST} FROM jwt_sessions WHERE id = ?`, [sessionId]);
    return rows.length === 0 ? null : rowToSession(rows[0]);
  }

  async rotate(sessionId: string, expectedHash: string, rotation: SessionRotation): Promise<boolean> {
    const withVersion = rotation.tokenVersion !== undefined;
    const changed = await this.sql.execute(
      `UPDATE jwt_sessions SET refresh_hash = ?, previous_refresh_hash = ?, generation = ?, rotated_at = ?, last_used_at = ?,
       idle_expires_at = ?${withVersion ? ', token_version = ?' : ''} WHERE id = ? AND refresh_hash = ? AND ${LIVE}`,
      [
        rotation.refreshHash, rotation.previousRefreshHash, rotation.generation, rotation.rotatedAt, rotation.lastUsedAt,
        rotation.idleExpiresAt, ...(withVersion ? [rotation.tokenVersion] : []), sessionId, expectedHash,
      ],
    );
    return changed === 1;
  }

  async revoke(userId: string, sessionIds: string[] | 'all', reason: RevokeReason, at: number): Promise<string[]> {
    if (sessionIds === 'all') return this.revokeWhere('user_id = ?', [userId], reason, at);
    if (sessionIds.length === 0) return [];
    const list = sessionIds.map(() => '?').join(', ');
    return this.revokeWhere(`user_id = ? AND id IN (${list})`, [userId, ...sessionIds], reason, at);
  }

  async revokeFamily(family: string, reason: RevokeReason, at: number): Promise<string[]> {
    return this.revokeWhere('family = ?', [family], reason, at);
  }

  async listActive(userId: string, now: number): Promise<SessionRecord[]> {
    const rows = await this.sql.query<SessionRow>(
      `SELECT ${COLUMN_LIST} FROM jwt_sessions WHERE user_id = ? AND ${LIVE} AND expires_at > ? AND idle_expires_at > ?
       ORDER BY created_at DESC`,
      [userId, now, now],
    );
    return rows.map(rowToSession);
  }

  /** In primary-key ranges of `purgeBatchRows` rows, one short DELETE each. */
  async purge(endedBefore: number): Promise<number> {
    return purgeInBatches(
      {
        upperBound: async (after, rows) => {
          const where = after === undefined ? '' : 'WHERE id > ? ';
          const found = await this.sql.query<{ id: unknown }>(`SELECT id FROM jwt_sessions ${where}ORDER BY id LIMIT 1 OFFSET ?`, [
            ...(after === undefined ? [] : [after]),
            rows - 1,
          ]);
          return found.length === 0 ? undefined : String(found[0].id);
        },
        deleteEnded: (after, upTo, cutOff) =>
          this.sql.execute(
            `DELETE FROM jwt_sessions WHERE ${after === undefined ? '' : 'id > ? AND '}${upTo === undefined ? '' : 'id <= ? AND '}` +
              '(revoked_at < ? OR expires_at < ? OR idle_expires_at < ?)',
            [...(after === undefined ? [] : [after]), ...(upTo === undefined ? [] : [upTo]), cutOff, cutOff, cutOff],
          ),
      },
      endedBefore,
      this.purgeBatchRows,
    );
  }

  private async revokeWhere(condition: string, params: unknown[], reason: RevokeReason, at: number): Promise<string[]> {
    const update = `UPDATE jwt_sessions SET revoked_at = ?, revoke_reason = ? WHERE ${condition} AND ${LIVE}`;
    if (this.sql.dialect !== 'mysql') {
      // RETURNING names exactly the rows this statement revoked, even under concurrent revokes.
      const rows = await this.sql.query<{ id: string }>(`${update} RETURNING id`, [at, reason, ...params]);
      return rows.map((row) => String(row.id));
    }
    // MariaDB has no UPDATE ... RETURNING: read the live ids, then revoke exactly those still live.
    const live = await this.sql.query<{ id: string }>(`SELECT id FROM jwt_sessions WHERE ${condition} AND ${LIVE}`, params);
    if (live.length === 0) return [];
    const ids = live.map((row) => String(row.id));
    await this.sql.execute(`UPDATE jwt_sessions SET revoked_at = ?, revoke_reason = ? WHERE id IN (${ids.map(() => '?').join(', ')}) AND ${LIVE}`, [
      at,
      reason,
      ...ids,
    ]);
    return ids;
  }
}
