import { In, IsNull, type DataSource, type Repository } from 'typeorm';
import type { RevokeReason, SessionRecord } from '../sessions/session-record';
import type { SessionRotation, SessionStore } from '../sessions/session-store.interface';
import { JwtSessionEntity } from './jwt-session.entity';
import { PURGE_BATCH_ROWS, purgeInBatches } from '../sql/purge-in-batches';

/** Sessions in the `jwt_sessions` table; rotation is one conditional UPDATE. */
export class TypeOrmSessionStore implements SessionStore {
  private readonly sessions: Repository<JwtSessionEntity>;
  /** Rows each purge statement covers (see purgeInBatches). */
  protected purgeBatchRows = PURGE_BATCH_ROWS;

  constructor(private readonly dataSource: DataSource) {
    this.sessions = dataSource.getRepository(JwtSessionEntity);
  }

  /** Whether `dataSource` holds this store's `jwt_sessions`. */
  usesDataSource(dataSource: DataSource): boolean {
    return dataSource === this.dataSource;
  }

  async create(session: SessionRecord): Promise<void> {
    await this.sessions.insert(session);
  }

  async find(sessionId: string): Promise<SessionRecord | null> {
    return this.sessions.findOneBy({ id: sessionId });
  }

  async rotate(sessionId: string, expectedHash: string, rotation: SessionRotation): Promise<boolean> {
    const result = await this.sessions.update({ id: sessionId, refreshHash: expectedHash, revokedAt: IsNull() }, rotation);
    return (result.affected ?? 0) === 1;
  }

  async revoke(userId: string, sessionIds: string[] | 'all', reason: RevokeReason, at: number): Promise<string[]> {
    if (sessionIds !== 'all' && sessionIds.length === 0) return [];
    const where = { userId, revokedAt: IsNull(), ...(sessionIds === 'all' ? {} : { id: In(sessionIds) }) };
    return this.revokeWhere(where, reason, at);
  }

  async revokeFamily(family: string, reason: RevokeReason, at: number): Promise<string[]> {
    return this.revokeWhere({ family, revokedAt: IsNull() }, reason, at);
  }

  async listActive(userId: string, now: number): Promise<SessionRecord[]> {
    return this.sessions
      .createQueryBuilder('s')
      .where('s.userId = :userId AND s.revokedAt IS NULL AND s.expiresAt > :now AND s.idleExpiresAt > :now', { userId, now })
      .orderBy('s.createdAt', 'DESC')
      .getMany();
  }

  /** In primary-key ranges of `purgeBatchRows` rows, one short DELETE each. */
  async purge(endedBefore: number): Promise<number> {
    const range = (after: string | undefined, upTo: string | undefined) =>
      `${after === undefined ? '' : 'id > :after AND '}${upTo === undefined ? '' : 'id <= :upTo AND '}`;
    return purgeInBatches(
      {
        upperBound: async (after, rows) => {
          const query = this.sessions.createQueryBuilder('s').select('s.id', 'id').orderBy('s.id').offset(rows - 1).limit(1);
          if (after !== undefined) query.where('s.id > :after', { after });
          const found = await query.getRawOne<{ id: string }>();
          return found === undefined ? undefined : String(found.id);
        },
        deleteEnded: async (after, upTo, cutOff) => {
          const result = await this.sessions
            .createQueryBuilder()
            .delete()
            .where(`${range(after, upTo)}(revoked_at < :cutOff OR expires_at < :cutOff OR idle_expires_at < :cutOff)`, { after, upTo, cutOff })
            .execute();
          return result.affected ?? 0;
        },
      },
      endedBefore,
      this.purgeBatchRows,
    );
  }

  private async revokeWhere(where: Record<string, unknown>, reason: RevokeReason, at: number): Promise<string[]> {
    const live = await this.sessions.find({ select: { id: true }, where });
    // One conditional UPDATE per row: only the call whose UPDATE changed the row reports it, so
    // concurrent revocations of one session report (and announce) it once. No RETURNING on MySQL.
    const revoked = await Promise.all(
      live.map(async ({ id }) => {
        const result = await this.sessions.update({ id, revokedAt: IsNull() }, { revokedAt: at, revokeReason: reason });
        return (result.affected ?? 0) === 1 ? id : undefined;
      }),
    );
    return revoked.filter((id): id is string => id !== undefined);
  }
}
